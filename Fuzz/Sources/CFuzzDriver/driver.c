// CFuzzDriver: no code; the header declares libFuzzer's LLVMFuzzerRunDriver for the Swift targets.
#include "CFuzzDriver.h"
