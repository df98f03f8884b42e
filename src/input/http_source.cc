// libcurl pushes bytes into a callback; the parser pulls them. The multi
// interface bridges the two: Read() drives the transfer until the callback
// has handed over some bytes, so nothing is buffered beyond what one call of
// curl_multi_perform receives.
//
// The body is taken as the server encodes it: a gzip Content-Encoding is not
// decoded by libcurl (which would inflate a whole network read at once, so a
// small compressed body could fill memory) but by the input module's gzip
// stream, as for a .gz file, where --max-bytes bounds the decoded size.
//
// Redirects are followed here, not by libcurl, so that the user's --header
// values go only to the origin (scheme, host, port) of the URL given, and a
// redirect from https to http is refused.
#include "input/http_source.h"

#include <curl/curl.h>
#include <fmt/core.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>

#include "base/error.h"

namespace gleak {
namespace {

// libcurl is loaded when a URL is first met, not when gleak starts: linked
// in, it and the TLS libraries it pulls in took about 4 MiB of every run's
// resident memory and several milliseconds of its start-up, though most runs
// read files. The names are libcurl's without "curl_".
// clang-format off
#define GLEAK_CURL_FUNCTIONS(X)                                                           \
  X(easy_cleanup) X(easy_getinfo) X(easy_header) X(easy_init) X(easy_setopt)              \
  X(easy_strerror) X(free) X(global_init) X(multi_add_handle) X(multi_cleanup)            \
  X(multi_info_read) X(multi_init) X(multi_perform) X(multi_poll) X(multi_remove_handle)  \
  X(multi_strerror) X(slist_append) X(slist_free_all) X(url_cleanup) X(url_get)           \
  X(url_set) X(url)
// clang-format on

struct CurlApi {
#define GLEAK_CURL_MEMBER(name) decltype(&::curl_##name) name = nullptr;
  GLEAK_CURL_FUNCTIONS(GLEAK_CURL_MEMBER)
#undef GLEAK_CURL_MEMBER
};

// The library a build links against is libcurl.so.4 (Debian's libcurl4).
constexpr const char* kCurlLibrary = "libcurl.so.4";

const CurlApi& Curl() {
  static const CurlApi* api = [] {
    void* library = ::dlopen(kCurlLibrary, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) return static_cast<CurlApi*>(nullptr);
    auto* loaded = new CurlApi;  // held for the life of the process, as the library is
    bool complete = true;
#define GLEAK_CURL_LOAD(name)                                                               \
  loaded->name = reinterpret_cast<decltype(loaded->name)>(::dlsym(library, "curl_" #name)); \
  complete = complete && loaded->name != nullptr;
    GLEAK_CURL_FUNCTIONS(GLEAK_CURL_LOAD)
#undef GLEAK_CURL_LOAD
    if (!complete) {
      delete loaded;
      return static_cast<CurlApi*>(nullptr);
    }
    return loaded;
  }();
  if (api == nullptr) {
    const char* why = ::dlerror();
    ThrowInputError(fmt::format(
        "cannot fetch URLs: {} could not be loaded{}{} (on Debian: apt-get install libcurl4)",
        kCurlLibrary, why != nullptr ? ": " : "", why != nullptr ? why : ""));
  }
  return *api;
}

std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
// A pipe the transfers' poll also waits on: InterruptTransfers writes a byte
// into it, so that a waiting transfer wakes at once rather than at the end of
// its poll. Never read: once interrupted, every transfer stops.
std::atomic<int> g_wake_read{-1}, g_wake_write{-1};
static_assert(std::atomic<int>::is_always_lock_free, "read from a signal handler");

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    Curl().global_init(CURL_GLOBAL_DEFAULT);
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
      g_wake_read = fds[0];
      g_wake_write = fds[1];
    }
  });
}

struct EasyDeleter {
  void operator()(CURL* h) const { Curl().easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { Curl().multi_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { Curl().slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* h) const { Curl().url_cleanup(h); }
};
struct CurlFree {
  void operator()(char* p) const { Curl().free(p); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

// An easy handle's place in a multi handle, given up when this goes.
class MultiMembership {
 public:
  MultiMembership() = default;
  MultiMembership(const MultiMembership&) = delete;
  MultiMembership& operator=(const MultiMembership&) = delete;
  ~MultiMembership() { Leave(); }
  void Join(CURLM* multi, CURL* easy) {
    Leave();
    if (Curl().multi_add_handle(multi, easy) == CURLM_OK) {
      multi_ = multi;
      easy_ = easy;
    }
  }
  void Leave() {
    if (multi_ != nullptr) Curl().multi_remove_handle(multi_, easy_);
    multi_ = nullptr;
    easy_ = nullptr;
  }

 private:
  CURLM* multi_ = nullptr;
  CURL* easy_ = nullptr;
};

// A part of a URL as libcurl reads it ("" when the URL has none).
std::string UrlPart(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* text = nullptr;
  if (Curl().url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::unique_ptr<char, CurlFree> owned(text);
  return text;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

UrlHandle ParseUrl(const std::string& url) {
  UrlHandle handle(Curl().url());
  if (handle == nullptr ||
      Curl().url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return nullptr;
  }
  return handle;
}

}  // namespace

std::optional<UrlOrigin> OriginOf(const std::string& url) {
  UrlHandle handle = ParseUrl(url);
  if (handle == nullptr) return std::nullopt;
  UrlOrigin origin{Lower(UrlPart(handle.get(), CURLUPART_SCHEME)),
                   Lower(UrlPart(handle.get(), CURLUPART_HOST)),
                   UrlPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT)};
  if (origin.scheme.empty() || origin.host.empty()) return std::nullopt;
  return origin;
}

void InterruptTransfers() {
  g_interrupted.store(true);
  int fd = g_wake_write.load();
  if (fd >= 0) {
    ssize_t ignored = ::write(fd, "!", 1);  // async-signal-safe; a full pipe is awake already
    (void)ignored;
  }
}

namespace {

class HttpSource : public ByteSource {
 public:
  HttpSource(std::string url, const HttpOptions& options)
      : url_(std::move(url)), current_url_(url_), options_(options) {
    GlobalInit();
    std::optional<UrlOrigin> origin = OriginOf(url_);
    if (!origin) ThrowInputError(url_ + ": not a URL libcurl can read");
    origin_ = *origin;
    easy_.reset(Curl().easy_init());
    multi_.reset(Curl().multi_init());
    if (easy_ == nullptr || multi_ == nullptr) ThrowInputError(url_ + ": cannot start libcurl");
    CURL* easy = easy_.get();
    Curl().easy_setopt(easy, CURLOPT_URL, url_.c_str());
    Curl().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    Curl().easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // followed here: see FollowRedirect
    Curl().easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.connect_timeout_seconds * 1000));
    Curl().easy_setopt(easy, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(options_.timeout_seconds * 1000));
    Curl().easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    Curl().easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(std::max(1.0, options_.stall_seconds)));
    // The encoded bytes, inflated in the stream by the input module.
    Curl().easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    Curl().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    Curl().easy_setopt(easy, CURLOPT_USERAGENT, "gleak/" GLEAK_VERSION_STRING);
    Curl().easy_setopt(easy, CURLOPT_ERRORBUFFER, error_);
    Curl().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpSource::OnBody);
    Curl().easy_setopt(easy, CURLOPT_WRITEDATA, this);
    Curl().easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    Curl().easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &HttpSource::OnProgress);
    Curl().easy_setopt(easy, CURLOPT_XFERINFODATA, this);
    if (!options_.ca_file.empty())
      Curl().easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.insecure) {
      Curl().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
      Curl().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    base_headers_.reset(Curl().slist_append(nullptr, "Accept-Encoding: gzip"));
    user_headers_.reset(Curl().slist_append(nullptr, "Accept-Encoding: gzip"));
    if (base_headers_ == nullptr || user_headers_ == nullptr) {
      ThrowInputError(url_ + ": cannot start libcurl");
    }
    for (const std::string& h : options_.headers) {
      // curl_slist_append returns the list it appended to, or null (and
      // leaves the list as it was) when out of memory.
      if (Curl().slist_append(user_headers_.get(), h.c_str()) == nullptr) {
        ThrowInputError(url_ + ": cannot start libcurl");
      }
    }
    Curl().easy_setopt(easy, CURLOPT_HTTPHEADER, user_headers_.get());
    membership_.Join(multi_.get(), easy);
    // Fail early (connection refused, 404, an HTML page, a redirect that is
    // refused) before parsing starts: run until the answer's status is known.
    while ((!checked_ || !redirect_to_.empty()) && !done_) Pump();
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

  ~HttpSource() override {
    if (progress_told_) options_.on_progress(url_, body_bytes_, true);
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
    if (!self->redirect_to_.empty()) return n;  // the body of a redirect: not the dump
    self->body_bytes_ += n;
    if (self->body_bytes_ > self->options_.max_bytes) {
      self->failure_ = fmt::format("{}: the response is larger than {} bytes; refusing it",
                                   self->url_, self->options_.max_bytes);
      return CURL_WRITEFUNC_ERROR;
    }
    self->pending_.append(data, n);
    return n;
  }

  static int OnProgress(void* self, curl_off_t, curl_off_t received, curl_off_t, curl_off_t) {
    auto* source = static_cast<HttpSource*>(self);
    if (source->options_.on_progress && received > 0) {
      source->options_.on_progress(source->url_, static_cast<uint64_t>(received), false);
      source->progress_told_ = true;
    }
    return g_interrupted.load() ? 1 : 0;  // non-zero aborts the transfer
  }

  // Called with the first body bytes, or at the end of a response without
  // any: the status and headers are known then.
  bool CheckResponse() {
    long status = 0;
    Curl().easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status >= 300 && status <= 399) {
      curl_header* location = nullptr;
      if (Curl().easy_header(easy_.get(), "Location", 0, CURLH_HEADER, -1, &location) ==
              CURLHE_OK &&
          location != nullptr && location->value[0] != '\0') {
        // Resolved against the URL it answers, as a browser would.
        UrlHandle target = ParseUrl(current_url_);
        if (target != nullptr &&
            Curl().url_set(target.get(), CURLUPART_URL, location->value, 0) == CURLUE_OK) {
          redirect_to_ = UrlPart(target.get(), CURLUPART_URL);
        }
        if (redirect_to_.empty()) {
          failure_ = fmt::format("{}: the server redirects to '{}', which is not a URL", url_,
                                 location->value);
          return false;
        }
        return true;
      }
    }
    if (status < 200 || status > 299) {
      failure_ = fmt::format(
          "{}: the server answered HTTP {}{}", url_, status,
          status == 404 ? " (not found: is net/http/pprof imported and the path right?)"
          : status == 401 || status == 403 ? " (protected: pass --header 'Authorization: ...')"
                                           : "");
      return false;
    }
    char* type = nullptr;
    Curl().easy_getinfo(easy_.get(), CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr && std::strstr(type, "text/html") != nullptr) {
      failure_ = fmt::format(
          "{}: the server sent an HTML page ({}), not a goroutine dump: a login page, a proxy, "
          "or the /debug/pprof/ index?",
          url_, type);
      return false;
    }
    curl_header* encoding = nullptr;
    if (Curl().easy_header(easy_.get(), "Content-Encoding", 0, CURLH_HEADER, -1, &encoding) ==
            CURLHE_OK &&
        encoding != nullptr) {
      std::string value = Lower(encoding->value);
      if (value != "gzip" && value != "x-gzip" && value != "identity" && !value.empty()) {
        failure_ = fmt::format(
            "{}: the server sent Content-Encoding '{}', which gleak cannot read (it asks for "
            "gzip or none)",
            url_, encoding->value);
        return false;
      }
    }
    return true;
  }

  // Starts the request to where the last response pointed. The user's
  // headers go only to the origin of the URL given; https never leads to http.
  void FollowRedirect() {
    std::string target = std::move(redirect_to_);
    redirect_to_.clear();
    if (++redirects_ > options_.max_redirects) {
      ThrowInputError(fmt::format("{}: more than {} redirects (last to {})", url_,
                                  options_.max_redirects, target));
    }
    std::optional<UrlOrigin> to = OriginOf(target);
    std::optional<UrlOrigin> from = OriginOf(current_url_);
    if (!to || (to->scheme != "http" && to->scheme != "https")) {
      ThrowInputError(
          fmt::format("{}: the server redirects to {}, which is not an http(s) URL", url_, target));
    }
    if (from && from->scheme == "https" && to->scheme == "http") {
      ThrowInputError(fmt::format(
          "{}: the server redirects from https to http ({}); refusing to continue without TLS",
          url_, target));
    }
    membership_.Leave();
    current_url_ = target;
    Curl().easy_setopt(easy_.get(), CURLOPT_URL, current_url_.c_str());
    Curl().easy_setopt(easy_.get(), CURLOPT_HTTPHEADER,
                       *to == origin_ ? user_headers_.get() : base_headers_.get());
    checked_ = false;
    done_ = false;
    error_[0] = '\0';
    membership_.Join(multi_.get(), easy_.get());
  }

  // Drives the transfer a little; sets done_ at its end, throws on failure.
  void Pump() {
    if (done_) return;
    if (g_interrupted.load()) ThrowInputError(url_ + ": interrupted");
    int running = 0;
    CURLMcode mc = Curl().multi_perform(multi_.get(), &running);
    if (mc == CURLM_OK && running > 0 && pending_.empty()) {
      curl_waitfd wake{g_wake_read.load(), CURL_WAIT_POLLIN, 0};
      mc = Curl().multi_poll(multi_.get(), wake.fd >= 0 ? &wake : nullptr, wake.fd >= 0 ? 1 : 0,
                             200, nullptr);
    }
    if (mc != CURLM_OK) ThrowInputError(fmt::format("{}: {}", url_, Curl().multi_strerror(mc)));
    int queued = 0;
    while (CURLMsg* msg = Curl().multi_info_read(multi_.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      done_ = true;
      CURLcode rc = msg->data.result;
      if (!failure_.empty()) ThrowInputError(failure_);
      if (rc == CURLE_ABORTED_BY_CALLBACK && g_interrupted.load()) {
        ThrowInputError(url_ + ": interrupted");
      }
      if (rc != CURLE_OK) {
        std::string detail = error_[0] != '\0' ? error_ : Curl().easy_strerror(rc);
        if (rc == CURLE_OPERATION_TIMEDOUT) {
          detail += fmt::format(
              " (no complete answer within the timeouts: connect {}s, stall {}s, total {}s)",
              options_.connect_timeout_seconds, options_.stall_seconds, options_.timeout_seconds);
        } else if (rc == CURLE_PEER_FAILED_VERIFICATION) {
          detail += " (to trust a private CA pass --cacert FILE; --insecure skips the check)";
        }
        ThrowInputError(fmt::format("{}: {}", url_, detail));
      }
      if (!checked_) {
        checked_ = true;
        if (!CheckResponse()) ThrowInputError(failure_);
      }
      if (!redirect_to_.empty()) {
        FollowRedirect();
        return;
      }
    }
  }

  std::string url_;          // as given, for messages
  std::string current_url_;  // where the request goes now, after redirects
  UrlOrigin origin_;
  HttpOptions options_;
  EasyHandle easy_;
  MultiHandle multi_;
  HeaderList base_headers_;     // for other origins: no user header
  HeaderList user_headers_;     // for the origin of the URL given
  MultiMembership membership_;  // last: leaves the multi handle before the handles go
  char error_[CURL_ERROR_SIZE] = {};
  std::string pending_;
  size_t pending_pos_ = 0;
  uint64_t body_bytes_ = 0;
  bool checked_ = false;
  bool done_ = false;
  bool progress_told_ = false;
  long redirects_ = 0;
  std::string redirect_to_;
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

std::optional<std::string> LeakProfileUrl(const std::string& url) {
  GlobalInit();
  UrlHandle handle = ParseUrl(url);
  if (handle == nullptr) return std::nullopt;
  std::string path = UrlPart(handle.get(), CURLUPART_PATH);
  constexpr std::string_view kEnd = "/debug/pprof/goroutine";
  if (!path.ends_with(kEnd)) return std::nullopt;
  std::string query = UrlPart(handle.get(), CURLUPART_QUERY);
  bool debug2 = false;
  for (size_t start = 0; start <= query.size();) {
    size_t amp = query.find('&', start);
    std::string_view param(query.data() + start,
                           (amp == std::string::npos ? query.size() : amp) - start);
    if (param.starts_with("debug=")) debug2 = param == "debug=2";
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  if (!debug2) return std::nullopt;
  path += "leak";
  if (Curl().url_set(handle.get(), CURLUPART_PATH, path.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  std::string out = UrlPart(handle.get(), CURLUPART_URL);
  if (out.empty()) return std::nullopt;
  return out;
}

std::string WithDebugParameter(const std::string& url, bool* added) {
  *added = false;
  GlobalInit();
  UrlHandle handle = ParseUrl(url);
  if (handle == nullptr) return url;  // OpenUrl says what is wrong with it
  std::string path = UrlPart(handle.get(), CURLUPART_PATH);
  if (path.find("/debug/pprof/goroutine") == std::string::npos) return url;
  std::string query = UrlPart(handle.get(), CURLUPART_QUERY);
  for (size_t start = 0; start <= query.size();) {
    size_t amp = query.find('&', start);
    if (query.compare(start, 6, "debug=") == 0) return url;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  if (Curl().url_set(handle.get(), CURLUPART_QUERY, "debug=2", CURLU_APPENDQUERY) != CURLUE_OK) {
    return url;
  }
  std::string with = UrlPart(handle.get(), CURLUPART_URL);
  if (with.empty()) return url;
  *added = true;
  return with;
}

std::unique_ptr<ByteSource> OpenUrl(const std::string& url, const HttpOptions& options) {
  std::string scheme = url.substr(0, url.find("://"));
  if (Lower(scheme) != "http" && Lower(scheme) != "https") {
    ThrowInputError(fmt::format(
        "{}: the {} scheme is not supported; inputs are files, '-', or http(s) URLs", url, scheme));
  }
  return std::make_unique<HttpSource>(url, options);
}

}  // namespace gleak
