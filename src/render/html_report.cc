#include "render/html_report.h"

#include <sstream>
#include <string>
#include <string_view>

#include "render/html_assets.h"
#include "render/json_diff.h"
#include "render/json_report.h"

namespace gleak {
namespace {

// Writes JSON text so that it can sit inside <script type="application/json">:
// every '<' as \u003c, so that no "</script" or "<!--" in a dump's text can end
// or change the element, and U+2028/U+2029 escaped as well. JSON has '<' and
// those characters only inside strings, where the escapes mean the same.
void WriteScriptSafe(std::string_view json, std::ostream& out) {
  size_t start = 0;
  for (size_t i = 0; i < json.size(); ++i) {
    std::string_view escape;
    size_t length = 1;
    if (json[i] == '<') {
      escape = "\\u003c";
    } else if (json[i] == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      escape = json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      length = 3;
    } else {
      continue;
    }
    out.write(json.data() + start, static_cast<std::streamsize>(i - start));
    out << escape;
    i += length - 1;
    start = i + 1;
  }
  out.write(json.data() + start, static_cast<std::streamsize>(json.size() - start));
}

// The page: nothing from the dump is in its markup; the script builds the view
// from the JSON with text nodes only. The policy lets exactly the embedded
// stylesheet and script run (by their hashes) and loads nothing.
void WritePage(const std::string& json, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\""
      << kHtmlPageCsp
      << "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"generator\" content=\"gleak\">\n<title>gleak report</title>\n<style>"
      << kHtmlPageCss
      << "</style>\n</head>\n<body>\n<noscript><p>This report is drawn by its script; the data is "
         "in the element gleak-data of this file (gleak.report/v1 or gleak.diff/v1 JSON).</p>"
         "</noscript>\n<main id=\"app\"></main>\n"
         "<script type=\"application/json\" id=\"gleak-data\">";
  WriteScriptSafe(json, out);
  out << "</script>\n<script>" << kHtmlPageJs << "</script>\n</body>\n</html>\n";
}

}  // namespace

void RenderHtmlReport(const Report& report, std::ostream& out) {
  std::ostringstream json;
  RenderJsonReport(report, json, /*one_line=*/true);
  WritePage(std::move(json).str(), out);
}

void RenderHtmlDiff(const DiffReport& diff, std::ostream& out) {
  std::ostringstream json;
  RenderJsonDiff(diff, json, /*one_line=*/true);
  WritePage(std::move(json).str(), out);
}

}  // namespace gleak
