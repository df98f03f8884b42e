// libcurl pushes bytes into a callback; the parser pulls them. The multi
// interface bridges the two: Read() drives the transfer until the callback
// has handed over some bytes, so nothing is buffered beyond one chunk.
#include "gleak/input/http_source.h"

#include <curl/curl.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "gleak/base/error.h"

namespace gleak {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class HttpSource : public ByteSource {
 public:
  HttpSource(std::string url, const HttpOptions& options)
      : url_(std::move(url)), options_(options) {
    GlobalInit();
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    if (easy_ == nullptr || multi_ == nullptr) ThrowInputError(url_ + ": cannot start libcurl");
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, options_.max_redirects);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout_seconds * 1000));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_seconds * 1000));
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max(1.0, options_.stall_seconds)));
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");  // gzip and deflate, decoded by libcurl
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "gleak/" GLEAK_VERSION_STRING);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpSource::OnBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    for (const std::string& h : options_.headers) headers_ = curl_slist_append(headers_, h.c_str());
    if (headers_ != nullptr) curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_multi_add_handle(multi_, easy_);
    // Fail early (connection refused, 404, an HTML page) before parsing starts.
    Pump();
  }

  ~HttpSource() override {
    curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
  }

  size_t Read(char* buffer, size_t capacity) override {
    while (pending_.size() - pending_pos_ == 0 && !done_) Pump();
    size_t n = std::min(capacity, pending_.size() - pending_pos_);
    std::memcpy(buffer, pending_.data() + pending_pos_, n);
    pending_pos_ += n;
    if (pending_pos_ == pending_.size()) {
      pending_.clear();
      pending_pos_ = 0;
    }
    return n;
  }

  const std::string& name() const override { return url_; }
  uint64_t raw_bytes() const override { return body_bytes_; }

 private:
  static size_t OnBody(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<HttpSource*>(self_ptr);
    size_t n = size * count;
    if (!self->checked_) {
      self->checked_ = true;
      if (!self->CheckResponse()) return CURL_WRITEFUNC_ERROR;
    }
    self->body_bytes_ += n;
    if (self->body_bytes_ > self->options_.max_bytes) {
      self->failure_ = fmt::format("{}: the response is larger than {} bytes; refusing it",
                                   self->url_, self->options_.max_bytes);
      return CURL_WRITEFUNC_ERROR;
    }
    self->pending_.append(data, n);
    return n;
  }

  // Called with the first body bytes: the status and type are known then.
  bool CheckResponse() {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
      failure_ = fmt::format(
          "{}: the server answered HTTP {}{}", url_, status,
          status == 404 ? " (not found: is net/http/pprof imported and the path right?)"
          : status == 401 || status == 403 ? " (protected: pass --header 'Authorization: ...')"
                                           : "");
      return false;
    }
    char* type = nullptr;
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr && std::strstr(type, "text/html") != nullptr) {
      failure_ = fmt::format(
          "{}: the server sent an HTML page ({}), not a goroutine dump: a login page, a proxy, "
          "or the /debug/pprof/ index?",
          url_, type);
      return false;
    }
    return true;
  }

  // Drives the transfer a little; sets done_ at its end, throws on failure.
  void Pump() {
    if (done_) return;
    int running = 0;
    CURLMcode mc = curl_multi_perform(multi_, &running);
    if (mc == CURLM_OK && running > 0 && pending_.empty()) {
      mc = curl_multi_poll(multi_, nullptr, 0, 200, nullptr);
    }
    if (mc != CURLM_OK) ThrowInputError(fmt::format("{}: {}", url_, curl_multi_strerror(mc)));
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      done_ = true;
      CURLcode rc = msg->data.result;
      if (!failure_.empty()) ThrowInputError(failure_);
      if (rc != CURLE_OK) {
        std::string detail = error_[0] != '\0' ? error_ : curl_easy_strerror(rc);
        if (rc == CURLE_OPERATION_TIMEDOUT) {
          detail += fmt::format(
              " (no complete answer within the timeouts: connect {}s, stall {}s, total {}s)",
              options_.connect_timeout_seconds, options_.stall_seconds, options_.timeout_seconds);
        }
        ThrowInputError(fmt::format("{}: {}", url_, detail));
      }
      if (!checked_) {
        checked_ = true;
        if (!CheckResponse()) ThrowInputError(failure_);
      }
    }
  }

  std::string url_;
  HttpOptions options_;
  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  curl_slist* headers_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
  std::string pending_;
  size_t pending_pos_ = 0;
  uint64_t body_bytes_ = 0;
  bool checked_ = false;
  bool done_ = false;
  std::string failure_;
};

}  // namespace

bool LooksLikeUrl(const std::string& spec) {
  size_t sep = spec.find("://");
  if (sep == std::string::npos || sep == 0) return false;
  return std::all_of(spec.begin(), spec.begin() + static_cast<long>(sep), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+';
  });
}

std::string WithDebugParameter(const std::string& url, bool* added) {
  *added = false;
  size_t query = url.find('?');
  std::string path = url.substr(0, std::min(query, url.find('#')));
  bool pprof = path.find("/debug/pprof/goroutine") != std::string::npos;
  if (!pprof) return url;
  if (query != std::string::npos) {
    std::string q = url.substr(query + 1);
    if (q.starts_with("debug=") || q.find("&debug=") != std::string::npos) return url;
  }
  *added = true;
  return url + (query == std::string::npos ? "?" : "&") + "debug=2";
}

std::unique_ptr<ByteSource> OpenUrl(const std::string& url, const HttpOptions& options) {
  std::string scheme = url.substr(0, url.find("://"));
  std::string lower;
  for (char c : scheme)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower != "http" && lower != "https") {
    ThrowInputError(fmt::format(
        "{}: the {} scheme is not supported; inputs are files, '-', or http(s) URLs", url, scheme));
  }
  return std::make_unique<HttpSource>(url, options);
}

}  // namespace gleak
