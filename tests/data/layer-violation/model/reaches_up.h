// A model file that reaches up into sim/: the layer check must refuse it.
#pragma once
#include "sim/host.h"
