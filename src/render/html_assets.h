// The HTML report's stylesheet and script, embedded at build time from
// src/render/html/page.css and page.js (cmake/embed_html_assets.cmake), and the
// Content-Security-Policy that lets the page run exactly those two.
#pragma once

namespace gleak {

extern const char kHtmlPageCss[];
extern const char kHtmlPageJs[];
extern const char kHtmlPageCsp[];

}  // namespace gleak
