//go:build !linux

package lambdaemu

import (
	"errors"
	"os"
)

// pending cannot tell the unread bytes of a pipe here: drain then does not
// wait.
func pending(*os.File) (int, error) { return 0, errors.New("not supported on this system") }
