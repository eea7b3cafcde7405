package proc

import (
	"os"
	"testing"
)

func TestStatusKB(t *testing.T) {
	status := "Name:\tbootstrap\nVmHWM:\t   21480 kB\nVmRSS:\t   19876 kB\n"
	if rss, hwm := StatusKB(status, "VmRSS"), StatusKB(status, "VmHWM"); rss != 19876 || hwm != 21480 || StatusKB(status, "VmSwap") != 0 {
		t.Fatalf("VmRSS %d, VmHWM %d", rss, hwm)
	}
	if rss, hwm, err := Memory(os.Getpid()); err != nil || rss <= 0 || hwm < rss {
		t.Fatalf("this process: VmRSS %d, VmHWM %d, %v", rss, hwm, err)
	}
}
