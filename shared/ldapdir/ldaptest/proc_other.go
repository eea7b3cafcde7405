//go:build !linux

package ldaptest

import (
	"os/exec"
	"syscall"
)

func slapdProcAttr() *syscall.SysProcAttr { return nil }

// signalProcessGroup ends slapd itself; process groups are a Linux-only
// refinement here.
func signalProcessGroup(cmd *exec.Cmd, _ syscall.Signal) {
	_ = cmd.Process.Kill()
}
