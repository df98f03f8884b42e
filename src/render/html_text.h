// Text put inside HTML (a status page, a <summary> in a Markdown comment):
// & < > " ' as character references, so text from a dump stays text.
#pragma once

#include <string>
#include <string_view>

namespace gleak {

std::string HtmlText(std::string_view s);

}  // namespace gleak
