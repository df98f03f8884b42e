// The gleak executable: everything but this lives in the library (gleak_cli).
#include "gleak/cli/run.h"

int main(int argc, char** argv) {
  return gleak::CloseStandardOutputAfter(gleak::RunGleak(argc, argv));
}
