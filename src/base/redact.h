// Passwords in URLs (`http://user:pass@host/...`) are never shown: not in
// reports, warnings, errors or JSON, wherever the URL is quoted.
#pragma once

#include <string>
#include <string_view>

namespace gleak {

// `text` with the password of every URL in it replaced by "***"
// (`http://user:***@host/`), as Go's url.URL.Redacted does; a user name alone
// is kept.
std::string RedactUrlPasswords(std::string_view text);

}  // namespace gleak
