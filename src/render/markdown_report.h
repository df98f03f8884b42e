// `--format markdown`: a report or a diff as a GitHub-flavoured Markdown PR
// comment: a summary table, each suspect with its fix in <details>, and for a
// diff the growth as a table. Text from dumps is escaped (render/markdown_text.h).
#pragma once

#include <ostream>

#include "model/share_view.h"

namespace gleak {

void RenderMarkdownReport(const ShareView& view, std::ostream& out);
void RenderMarkdownDiff(const ShareView& view, std::ostream& out);

// Shared by both: the suspects, each a heading, where it blocks and its fix.
void RenderMarkdownSuspects(const ShareView& view, std::ostream& out);

}  // namespace gleak
