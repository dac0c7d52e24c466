// CFuzzDriver: declares libFuzzer's driver entry point so each Swift fuzz target can run it from main.
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (from -sanitize=fuzzer): parses argv and runs `callback` on each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
