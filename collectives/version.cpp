#include "grove/grove.h"
