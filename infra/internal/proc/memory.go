package proc

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is a process's resident set (VmRSS) and its peak (VmHWM) in KiB,
// from /proc/PID/status (Linux only).
func Memory(pid int) (rssKB, hwmKB int64, err error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("memory of process %d (reads /proc: Linux only): %w", pid, err)
	}
	return StatusKB(string(status), "VmRSS"), StatusKB(string(status), "VmHWM"), nil
}

// StatusKB reads a "Name:   123 kB" field of a /proc/PID/status text; 0
// when it is missing.
func StatusKB(status, field string) int64 {
	for _, line := range strings.Split(status, "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && name == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
