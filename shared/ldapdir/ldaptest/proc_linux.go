package ldaptest

import (
	"os/exec"
	"syscall"
)

// slapdProcAttr puts slapd in its own process group, so that signalProcessGroup
// reaches it and anything it spawned, and has the kernel kill it should the
// test binary die without cleaning up (a go test timeout, say).
func slapdProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalProcessGroup sends sig to the process group that cmd leads.
func signalProcessGroup(cmd *exec.Cmd, sig syscall.Signal) {
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
