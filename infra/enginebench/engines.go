package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nitram509/lib-bpmn-engine/pkg/bpmn_engine"
	"github.com/nitram509/lib-bpmn-engine/pkg/spec/BPMN20/process_instance"

	"github.com/effektif-serverless/caseflow/shared/bpmn"
	"github.com/effektif-serverless/caseflow/shared/engine"
)

// approvalBPMN is the one process both engines run (see the file).
//
//go:embed testdata/approval.bpmn
var approvalBPMN []byte

// An instanceRunner runs one instance of approvalBPMN from its start to
// its end, approving at the review task, and returns the path it took:
// the ids of the tasks completed, in order.
type instanceRunner func() ([]string, error)

// ours loads the process the way the product does: bpmn.Import once, as
// at publishing; per instance, what a start and the task completions do in
// shared/casework: look the version's compiled workflow up in a
// engine.Cache (compiled and validated once), Start, then one Message per
// waiting task (the review with the decision, then each service task's
// action ended without output). The engine's own clock and ids are used.
func ours() (instanceRunner, error) {
	wf, err := bpmn.Import(approvalBPMN)
	if err != nil {
		return nil, err
	}
	versionID := "bench-version"
	wf.ID = versionID
	cache := engine.NewCache(16)
	e := &engine.Engine{}
	approve := map[string]json.RawMessage{"decision": json.RawMessage(`"approve"`)}
	return func() ([]string, error) {
		c := cache.Get(versionID, wf)
		inst, fx, err := e.StartCompiled(c, versionID, engine.Trigger{})
		if err != nil {
			return nil, err
		}
		var path []string
		// work completes every task the last operation asked for, in order.
		queue := append([]engine.TaskRequest(nil), fx.Tasks...)
		var services []engine.ServiceActionRequest
		services = append(services, fx.ServiceActions...)
		for len(queue) > 0 || len(services) > 0 {
			var fx *engine.Effects
			switch {
			case len(queue) > 0:
				t := queue[0]
				queue = queue[1:]
				path = append(path, t.ActivityID)
				fx, err = e.MessageCompiled(c, inst, t.ActivityInstanceID, approve)
			default:
				s := services[0]
				services = services[1:]
				path = append(path, s.ActivityID)
				fx, err = e.MessageCompiled(c, inst, s.ActivityInstanceID, nil)
			}
			if err != nil {
				return nil, err
			}
			queue = append(queue, fx.Tasks...)
			services = append(services, fx.ServiceActions...)
		}
		if !inst.Ended() || inst.EndState != "" {
			return nil, fmt.Errorf("our instance did not end: %+v", inst)
		}
		return path, nil
	}, nil
}

// peer loads the process into a lib-bpmn-engine once, with a job handler
// per task (the review's sets the decision; each handler completes its
// job, which is what completing a task means there). Per instance it runs
// CreateAndRunInstance, which runs the instance to its end through the
// handlers, on a copy of that loaded engine: one engine's state grows
// with every instance it ran (its instances, and a scheduled flow the
// parallel join leaves behind, which later joins search), so a fresh copy
// per instance is the peer's best case; the process stays loaded once.
func peer() (instanceRunner, error) {
	base := bpmn_engine.New("bench")
	process, err := base.LoadFromBytes(approvalBPMN)
	if err != nil {
		return nil, err
	}
	var path []string
	handler := func(job bpmn_engine.ActivatedJob) {
		path = append(path, job.GetElementId())
		if job.GetElementId() == "review" {
			job.SetVariable("decision", "approve")
		}
		job.Complete()
	}
	for _, id := range []string{"review", "legal", "finance"} {
		base.AddTaskHandler(id, handler)
	}
	key := process.ProcessKey
	return func() ([]string, error) {
		path = nil
		st := base
		inst, err := st.CreateAndRunInstance(key, nil)
		if err != nil {
			return nil, err
		}
		if inst.GetState() != process_instance.COMPLETED {
			return nil, errors.New("the peer's instance did not complete: " + string(inst.GetState()))
		}
		return path, nil
	}, nil
}

// wantPath is the path an approved instance takes in both engines.
var wantPath = []string{"review", "legal", "finance"}
