// A util source that reaches up into train: what cmake/check_layers.cmake must refuse.
#include "corag/train/trainer.hpp"
