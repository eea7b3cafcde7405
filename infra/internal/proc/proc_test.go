package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopReachesTheGroup: a child's own children go with it.
func TestStopReachesTheGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	p, err := Start(exec.Command("sh", "-c", "sleep 300 & echo $! > "+pidFile+"; wait"))
	if err != nil {
		t.Fatal(err)
	}
	var grandchild int
	for range 200 {
		b, _ := os.ReadFile(pidFile)
		if grandchild, err = strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if grandchild == 0 {
		t.Fatal("the grandchild did not start")
	}
	p.Stop(time.Second)
	if !p.Exited() || p.Err() == nil {
		t.Errorf("after Stop: exited %v, err %v", p.Exited(), p.Err())
	}
	for range 200 {
		if !alive(grandchild) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the grandchild %d survived", grandchild)
}

// alive reports whether the process runs: it exists and, where /proc tells,
// is not a zombie waiting for a parent (here: init) to reap it.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

func TestStopAll(t *testing.T) {
	var ps []*Process
	for range 3 {
		p, err := Start(exec.Command("sleep", "300"))
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	StopAll(time.Second)
	for _, p := range ps {
		if !p.Exited() {
			t.Errorf("process %d still runs", p.Pid())
		}
	}
}
