#include "input/byte_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "support/test_support.h"

namespace gleak {
namespace {

using testing::TempDir;

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string ReadAll(ByteSource& source) {
  std::string all;
  char buffer[1000];
  while (size_t n = source.Read(buffer, sizeof buffer)) all.append(buffer, n);
  return all;
}

std::filesystem::path Write(const std::filesystem::path& dir, const std::string& name,
                            const std::string& bytes) {
  std::filesystem::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

TEST(OpenInput, PlainFileIsReadAsIs) {
  auto dir = TempDir();
  auto source = OpenInput(Write(dir, "a.txt", "hello\n").string());
  EXPECT_STREQ(source->encoding(), "plain");
  EXPECT_EQ(ReadAll(*source), "hello\n");
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, GzipIsDetectedByContentNotName) {
  auto dir = TempDir();
  std::string text(300000, 'g');
  auto source = OpenInput(Write(dir, "no-extension", Gzip(text)).string());
  EXPECT_STREQ(source->encoding(), "gzip");
  EXPECT_EQ(ReadAll(*source), text);
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, ConcatenatedGzipMembersAreAllRead) {
  auto dir = TempDir();
  auto source = OpenInput(Write(dir, "two.gz", Gzip("first\n") + Gzip("second\n")).string());
  EXPECT_EQ(ReadAll(*source), "first\nsecond\n");
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, CorruptGzipIsAnInputErrorNamingTheFile) {
  auto dir = TempDir();
  std::string gz = Gzip(std::string(10000, 'x') + "tail");
  gz[gz.size() / 2] ^= 0x55;
  gz[gz.size() / 2 + 1] ^= 0x55;
  auto path = Write(dir, "bad.gz", gz);
  try {
    auto source = OpenInput(path.string());
    ReadAll(*source);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("bad.gz"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, CutGzipSaysSo) {
  auto dir = TempDir();
  std::string gz = Gzip(std::string(100000, 'x'));
  auto path = Write(dir, "cut.gz", gz.substr(0, gz.size() - 10));
  auto source = OpenInput(path.string());
  try {
    ReadAll(*source);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ends early"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// Every byte `source` gives in reads of `size` bytes, and the error that
// ended them (empty: none).
std::string ReadInReadsOf(ByteSource& source, size_t size, std::string* error) {
  std::string bytes;
  std::vector<char> buffer(size);
  try {
    while (size_t n = source.Read(buffer.data(), buffer.size())) bytes.append(buffer.data(), n);
  } catch (const Error& e) {
    *error = e.what();
  }
  return bytes;
}

// What a cut gzip file yields does not depend on the size of the reads: the
// same bytes (a start of the text) and the same error at every size.
TEST(OpenInput, CutGzipYieldsTheSameBytesAtEveryReadSize) {
  auto dir = TempDir();
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "goroutine " + std::to_string(i * 7919 % 10007) + "\n";
  std::string gz = Gzip(text);
  auto cut = Write(dir, "cut.gz", gz.substr(0, gz.size() * 2 / 3));
  std::string first_bytes, first_error;
  for (size_t size : {size_t{1}, size_t{100}, size_t{4096}, size_t{65536}, size_t{1} << 20}) {
    std::string error;
    std::string bytes = ReadInReadsOf(*OpenInput(cut.string()), size, &error);
    EXPECT_NE(error.find("ends early"), std::string::npos) << size << ": " << error;
    EXPECT_EQ(text.compare(0, bytes.size(), bytes), 0) << size;
    if (first_error.empty()) {
      first_bytes = bytes;
      first_error = error;
      EXPECT_GT(bytes.size(), text.size() / 2) << size;
    }
    EXPECT_EQ(bytes.size(), first_bytes.size()) << size;
    EXPECT_EQ(error, first_error) << size;
  }
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, GzipBombIsRefusedPastTheLimit) {
  auto dir = TempDir();
  auto path = Write(dir, "bomb.gz", Gzip(std::string(4 << 20, '\0')));
  InputLimits limits;
  limits.max_decompressed_bytes = 1 << 20;
  auto source = OpenInput(path.string(), limits);
  EXPECT_THROW(ReadAll(*source), Error);
  std::filesystem::remove_all(dir);
}

// Past the limit a gzip input gives its first max_decompressed_bytes bytes
// and then the error, at every read size (reads larger than the limit once
// gave nothing before the error, so that `-j2` reported no goroutine where
// `-j1` reported some).
TEST(OpenInput, GzipPastTheLimitGivesItsFirstBytesAtEveryReadSize) {
  auto dir = TempDir();
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "goroutine " + std::to_string(i * 7919 % 10007) + "\n";
  auto path = Write(dir, "big.gz", Gzip(text));
  InputLimits limits;
  limits.max_decompressed_bytes = 100000;
  for (size_t size : {size_t{1}, size_t{100}, size_t{4096}, size_t{65536}, size_t{1} << 20}) {
    std::string error;
    std::string bytes = ReadInReadsOf(*OpenInput(path.string(), limits), size, &error);
    EXPECT_NE(error.find("expands beyond 100000 bytes"), std::string::npos)
        << size << ": " << error;
    EXPECT_EQ(bytes, text.substr(0, 100000)) << size;
  }
  // Exactly at the limit: the whole input, no error.
  limits.max_decompressed_bytes = text.size();
  EXPECT_EQ(ReadAll(*OpenInput(path.string(), limits)), text);
  std::filesystem::remove_all(dir);
}

// Read ahead on another thread: the same bytes in the same order, in small
// buffers and small reads, and the error after every byte read before it.
TEST(ReadAhead, SameBytesThenTheSameError) {
  auto dir = TempDir();
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string gz = Gzip(text);
  auto whole = Write(dir, "whole.gz", gz);
  auto ahead = ReadAhead(OpenInput(whole.string()), 777, 3);
  EXPECT_STREQ(ahead->encoding(), "gzip");
  EXPECT_EQ(ahead->name(), whole.string());
  EXPECT_EQ(ReadAll(*ahead), text);
  EXPECT_EQ(ahead->raw_bytes(), gz.size());
  EXPECT_EQ(ahead->Read(nullptr, 0), 0u);  // stays at the end

  // Cut: every byte zlib could inflate, then "ends early", as read directly.
  auto cut = Write(dir, "cut.gz", gz.substr(0, gz.size() / 2));
  std::string direct, read_ahead, direct_error, ahead_error;
  auto read = [](ByteSource& source, std::string* bytes, std::string* error) {
    char buffer[100];
    try {
      while (size_t n = source.Read(buffer, sizeof buffer)) bytes->append(buffer, n);
    } catch (const Error& e) {
      *error = e.what();
    }
  };
  read(*OpenInput(cut.string()), &direct, &direct_error);
  read(*ReadAhead(OpenInput(cut.string()), 777, 3), &read_ahead, &ahead_error);
  EXPECT_NE(direct_error.find("ends early"), std::string::npos) << direct_error;
  EXPECT_EQ(ahead_error, direct_error);
  EXPECT_GT(direct.size(), 1000u);
  EXPECT_EQ(read_ahead, direct);

  // Let go before the end: the reading thread stops.
  auto early = ReadAhead(OpenInput(whole.string()), 777, 3);
  char buffer[10];
  EXPECT_EQ(early->Read(buffer, sizeof buffer), sizeof buffer);
  early.reset();
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, MissingFileAndDirectoryAreInputErrors) {
  auto dir = TempDir();
  try {
    OpenInput((dir / "missing.txt").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::kInput);
    EXPECT_NE(std::string(e.what()).find("missing.txt: cannot open"), std::string::npos);
  }
  try {
    OpenInput(dir.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST(OpenInput, UnreadableFileIsAnInputError) {
  auto dir = TempDir();
  auto path = Write(dir, "secret.txt", "x");
  chmod(path.c_str(), 0);
  if (geteuid() != 0) {
    EXPECT_THROW(OpenInput(path.string()), Error);
  } else {
    // Root opens any file; a read that fails (EIO from /proc/self/mem at
    // offset 0) takes the same error path.
    try {
      auto source = OpenInput("/proc/self/mem");
      ReadAll(*source);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("/proc/self/mem: read failed"), std::string::npos)
          << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gleak
