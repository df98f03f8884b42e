#include "cli/help_format.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "cli/terminal.h"
#include "render/wrap_text.h"

namespace gleak {
namespace {

class WrappingFormatter : public CLI::Formatter {
 public:
  // The description column: CLI11's 30 leaves too little room on a narrow
  // terminal.
  explicit WrappingFormatter(size_t width) : width_(width) {
    if (width < 80) column_width(std::max<size_t>(16, width * 3 / 8));
  }

  // An option's name and value text ("--format TEXT:{text,json,...}=text")
  // may pass a narrow terminal's width too: wrapped at its spaces.
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    std::string name =
        WrapText("  " + make_option_name(opt, is_positional) + make_option_opts(opt), width_);
    return Beside(name, make_option_desc(opt));
  }

  // CLI11 puts the description after a column of get_column_width() and
  // indents each of its further lines to that column.
  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = CLI::Formatter::make_option_desc(opt);
    return WrapText(desc, DescWidth());
  }
  // A command's line in its parent's list.
  std::string make_subcommand(const CLI::App* sub) const override {
    return Beside("  " + sub->get_display_name(true),
                  WrapText(sub->get_description(), DescWidth()));
  }
  std::string make_description(const CLI::App* app) const override {
    return WrapText(CLI::Formatter::make_description(app), width_);
  }
  std::string make_footer(const CLI::App* app) const override {
    return WrapText(CLI::Formatter::make_footer(app), width_);
  }

 private:
  size_t DescWidth() const {
    size_t column = get_column_width();
    return width_ > column + 20 ? width_ - column : 20;
  }

  // `name` (one or more lines), then `desc` from the description column: on
  // the name's last line when it leaves room, else on a line of its own; each
  // further line of `desc` starts at that column.
  std::string Beside(const std::string& name, const std::string& desc) const {
    size_t column = get_column_width();
    std::string out = name;
    size_t last_line = name.rfind('\n');
    size_t used = name.size() - (last_line == std::string::npos ? 0 : last_line + 1);
    if (!desc.empty()) {
      if (used >= column) {
        out += '\n';
        out.append(column, ' ');
      } else {
        out.append(column - used, ' ');
      }
      for (char c : desc) {
        out += c;
        if (c == '\n') out.append(column, ' ');
      }
    }
    return out + '\n';
  }

  size_t width_;
};

}  // namespace

std::shared_ptr<CLI::Formatter> WrappingHelpFormatter(size_t width) {
  return std::make_shared<WrappingFormatter>(width);
}

size_t HelpWidth() {
  size_t width = TerminalWidth(stdout);
  if (width == 0) width = TerminalWidth(stderr);
  if (width == 0) width = 80;
  return std::max<size_t>(width, 40);
}

}  // namespace gleak
