package ring

import "errors"

// ErrCorrupt wraps every error about ring contents that cannot be valid: a
// length beyond the ring, a record running past the producer position,
// misaligned positions. Callers stop the run on it rather than skip: a
// corrupt ring means the parser or the kernel facts it relies on are wrong.
var ErrCorrupt = errors.New("corrupt ring")
