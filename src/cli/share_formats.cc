#include "cli/share_formats.h"

#include <algorithm>
#include <iterator>

#include "render/markdown_report.h"
#include "render/openmetrics.h"
#include "render/sarif.h"
#include "report/share_view.h"

namespace gleak {
namespace {

constexpr const char* kShareFormats[] = {"sarif", "markdown", "openmetrics"};

ShareOptions OptionsOf(const CommonFlags& flags) {
  ShareOptions options;
  options.source_root = flags.source_root;
  return options;
}

}  // namespace

std::vector<std::string> WithShareFormats(std::vector<std::string> base) {
  for (const char* f : kShareFormats) base.emplace_back(f);
  return base;
}

bool IsShareFormat(const std::string& format) {
  return std::find(std::begin(kShareFormats), std::end(kShareFormats), format) !=
         std::end(kShareFormats);
}

void RenderShareFormat(const std::string& format, const Report& report, const CommonFlags& flags,
                       std::ostream& out) {
  ShareView view = BuildShareView(report, OptionsOf(flags));
  if (format == "sarif") {
    RenderSarif(view, out);
  } else if (format == "markdown") {
    RenderMarkdownReport(view, out);
  } else {
    RenderOpenMetrics(view, out);
  }
}

void RenderShareFormat(const std::string& format, const DiffReport& diff, const CommonFlags& flags,
                       std::ostream& out) {
  ShareView view = BuildShareView(diff, OptionsOf(flags));
  if (format == "sarif") {
    RenderSarif(view, out);
  } else if (format == "markdown") {
    RenderMarkdownDiff(view, out);
  } else {
    RenderOpenMetrics(view, out);
  }
}

}  // namespace gleak
