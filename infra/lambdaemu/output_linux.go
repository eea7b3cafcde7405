package lambdaemu

import (
	"os"

	"golang.org/x/sys/unix"
)

// pending is the number of unread bytes in a pipe (FIONREAD), read
// through the file's raw descriptor (File.Fd would make it blocking).
func pending(f *os.File) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var ioctlErr error
	if err := rc.Control(func(fd uintptr) { n, ioctlErr = unix.IoctlGetInt(int(fd), unix.TIOCINQ) }); err != nil {
		return 0, err
	}
	return n, ioctlErr
}
