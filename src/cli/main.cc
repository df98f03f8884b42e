// The gleak executable: everything but this lives in the library (gleak_cli).
#include "gleak/gleak.h"

int main(int argc, char** argv) {
  return gleak::CloseStandardOutputAfter(gleak::RunGleak(argc, argv));
}
