// Precompiled header of the torch-heavy layers (see CMakeLists.txt for which sources use it and
// why the others do not).
#pragma once

#include <torch/torch.h>
