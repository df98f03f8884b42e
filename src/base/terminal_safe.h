// The one filter for text a person reads on a terminal: the text report, the
// diff and watch screens, `gleak parse --format text`, and every message on
// standard error. Any of that text may come from an input (a function name in
// a dump, a server's Content-Type, a URL), and an input must not be able to
// move the cursor, repaint or retitle the terminal, or reorder what is shown.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gleak {

// Length of the UTF-8 sequence that starts at s[i]. When it is not a whole
// valid sequence, `*valid` is false and the length is that of its maximal
// subpart (at least 1): Unicode's recommended unit for one U+FFFD.
size_t Utf8SequenceLength(std::string_view s, size_t i, bool* valid);

// What becomes of a line break: kept (a message of several lines on standard
// error) or neutralised like any other control (one report field).
enum class LineBreaks { kNeutralise, kKeep };

// Appends `s` to `out` with every control a terminal acts on replaced by '?':
// C0 controls (ESC, BEL, BS, CR, NUL...) and DEL; C1 controls, encoded in
// UTF-8 (U+0080..U+009F) or as raw bytes (0x9B is CSI to an 8-bit terminal);
// any other byte that is not valid UTF-8; and the bidirectional controls that
// reorder a line as it is shown (U+061C, U+200E, U+200F, U+202A..U+202E,
// U+2066..U+2069: "Trojan Source"). A tab becomes four spaces. Valid UTF-8
// text passes unchanged.
void AppendTerminalSafe(std::string_view s, std::string* out,
                        LineBreaks line_breaks = LineBreaks::kNeutralise);
std::string TerminalSafe(std::string_view s, LineBreaks line_breaks = LineBreaks::kNeutralise);

}  // namespace gleak
