package engine

import (
	"slices"
	"testing"
)

func TestExclusiveGatewayChoices(t *testing.T) {
	wf := parseWF(t, `{"variables":[{"id":"n","type":{"name":"number"}}],
	  "activities":[{"type":"startEvent","id":"s"},{"type":"exclusiveGateway","id":"gw","defaultTransitionId":"toDefault"},
		{"type":"endEvent","id":"big"},{"type":"endEvent","id":"small"},{"type":"endEvent","id":"dflt"}],
	  "transitions":[{"fromId":"s","toId":"gw"},
		{"id":"toDefault","fromId":"gw","toId":"dflt"},
		{"id":"toBig","fromId":"gw","toId":"big","condition":{"type":"greaterThan","left":{"expression":"n"},"right":{"value":10}}},
		{"id":"toSmall","fromId":"gw","toId":"small","condition":{"type":"greaterThan","left":{"expression":"n"},"right":{"value":0}}}]}`)
	for _, c := range []struct {
		n    string
		want string
	}{{"50", "big"}, {"5", "small"}, {"-1", "dflt"}, {"null", "dflt"}} {
		h := newHarness(t)
		inst, _ := h.start(wf, Trigger{Data: data("n", c.n)})
		if executed(inst, c.want) != 1 || len(inst.ActivityInstances) != 3 {
			t.Errorf("n=%s: want %s, got %s", c.n, c.want, mustJSON(t, inst))
		}
	}
}

func TestExclusiveGatewayFallbacks(t *testing.T) {
	// No default: the single outgoing transition is taken even with a
	// false condition; with several, the first unconditioned one.
	single := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"exclusiveGateway","id":"gw"},{"type":"endEvent","id":"e"}],
	  "transitions":[{"fromId":"s","toId":"gw"},{"fromId":"gw","toId":"e","condition":{"type":"isTrue","left":{"expression":"x"}}}]}`)
	h := newHarness(t)
	if inst, _ := h.start(single, Trigger{}); executed(inst, "e") != 1 {
		t.Fatalf("single: %s", mustJSON(t, inst))
	}
	multi := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"exclusiveGateway","id":"gw"},{"type":"endEvent","id":"a"},{"type":"endEvent","id":"b"}],
	  "transitions":[{"fromId":"s","toId":"gw"},{"fromId":"gw","toId":"a","condition":{"type":"isTrue","left":{"expression":"x"}}},
	  {"fromId":"gw","toId":"b","condition":{"type":"unspecified"}}]}`)
	if inst, _ := h.start(multi, Trigger{}); executed(inst, "b") != 1 || executed(inst, "a") != 0 {
		t.Fatalf("unconditioned: %s", mustJSON(t, inst))
	}
	if inst, _ := h.start(multi, Trigger{Data: data("x", "true")}); executed(inst, "a") != 1 || executed(inst, "b") != 0 {
		t.Fatalf("condition first: %s", mustJSON(t, inst))
	}
}

// A loop back through an exclusive gateway: the user task repeats until
// "done" is true.
func TestLoopThroughExclusiveGateway(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"variables":[{"id":"done","type":{"name":"boolean"}}],
	  "activities":[{"type":"startEvent","id":"s"},{"type":"exclusiveGateway","id":"merge"},{"type":"userTask","id":"work",
		"form":{"fields":[{"binding":{"expression":"done"}}]}},
		{"type":"exclusiveGateway","id":"check","defaultTransitionId":"again"},{"type":"endEvent","id":"e"}],
	  "transitions":[{"fromId":"s","toId":"merge"},{"fromId":"merge","toId":"work"},{"fromId":"work","toId":"check"},
		{"id":"again","fromId":"check","toId":"merge"},
		{"id":"out","fromId":"check","toId":"e","condition":{"type":"isTrue","left":{"expression":"done"}}}]}`)
	inst, _ := h.start(wf, Trigger{})
	h.message(wf, inst, "work", data("done", "false"))
	h.message(wf, inst, "work", nil)
	if inst.Ended() || executed(inst, "work") != 3 {
		t.Fatalf("should loop: %s", mustJSON(t, inst))
	}
	h.message(wf, inst, "work", data("done", "true"))
	if !inst.Ended() || executed(inst, "work") != 3 || executed(inst, "e") != 1 {
		t.Fatalf("should end: %s", mustJSON(t, inst))
	}
}

const parallelJSON = `{"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
	{"type":"%s","id":"a"},{"type":"%s","id":"b"},{"type":"parallelGateway","id":"join"},{"type":"userTask","id":"after"}],
  "transitions":[{"fromId":"s","toId":"fork"},{"fromId":"fork","toId":"a"},{"fromId":"fork","toId":"b"},
	{"fromId":"a","toId":"join"},{"fromId":"b","toId":"join"},{"fromId":"join","toId":"after"}]}`

func TestParallelJoinWaitsForAll(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(parallelJSON, "userTask", "userTask"))
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"a", "b"}) {
		t.Fatalf("split: %v", taskIDs(fx))
	}
	fx = h.message(wf, inst, "a", nil)
	if len(fx.Tasks) != 0 || executed(inst, "join") != 1 {
		t.Fatalf("join fired early: %s", mustJSON(t, inst))
	}
	fx = h.message(wf, inst, "b", nil)
	if !slices.Equal(taskIDs(fx), []string{"after"}) || executed(inst, "after") != 1 {
		t.Fatalf("join did not fire once: %v %s", taskIDs(fx), mustJSON(t, inst))
	}
	for _, ai := range inst.ActivityInstances {
		if ai.WorkState == wsJoining {
			t.Fatalf("arrival left joining: %+v", ai)
		}
	}
}

// Both branches pass straight through, so both tokens reach the join in
// the same step: it fires exactly once.
func TestParallelJoinSameStep(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(parallelJSON, "task", "task"))
	inst, fx := h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"after"}) || executed(inst, "join") != 2 || executed(inst, "after") != 1 {
		t.Fatalf("join: %v %s", taskIDs(fx), mustJSON(t, inst))
	}
}

// A parallel join in a loop: each round joins its own pair of tokens.
func TestParallelJoinInLoop(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"variables":[{"id":"round","type":{"name":"number"}}],
	  "activities":[{"type":"startEvent","id":"s"},{"type":"exclusiveGateway","id":"merge"},{"type":"parallelGateway","id":"fork"},
		{"type":"userTask","id":"a"},{"type":"task","id":"b"},{"type":"parallelGateway","id":"join"},
		{"type":"scriptTask","id":"count","script":{"script":"round = round + 1"}},
		{"type":"exclusiveGateway","id":"check","defaultTransitionId":"again"},{"type":"endEvent","id":"e"}],
	  "transitions":[{"fromId":"s","toId":"merge"},{"fromId":"merge","toId":"fork"},{"fromId":"fork","toId":"a"},{"fromId":"fork","toId":"b"},
		{"fromId":"a","toId":"join"},{"fromId":"b","toId":"join"},{"fromId":"join","toId":"count"},{"fromId":"count","toId":"check"},
		{"id":"again","fromId":"check","toId":"merge"},
		{"id":"out","fromId":"check","toId":"e","condition":{"type":"greaterThanOrEqual","left":{"expression":"round"},"right":{"value":3}}}]}`)
	inst, _ := h.start(wf, Trigger{Data: data("round", "0")})
	for i := 0; i < 3; i++ {
		if inst.Ended() {
			t.Fatalf("ended early in round %d", i)
		}
		h.message(wf, inst, "a", nil)
	}
	if !inst.Ended() || varValue(inst, "round") != "3" || executed(inst, "count") != 3 {
		t.Fatalf("loop: %s", mustJSON(t, inst))
	}
}

const inclusiveJSON = `{"variables":[{"id":"x","type":{"name":"boolean"}},{"id":"y","type":{"name":"boolean"}}],
  "activities":[{"type":"startEvent","id":"s"},{"type":"inclusiveGateway","id":"split","defaultTransitionId":"toC"},
	{"type":"userTask","id":"a"},{"type":"userTask","id":"b"},{"type":"userTask","id":"c"},
	{"type":"inclusiveGateway","id":"join"},{"type":"userTask","id":"after"}],
  "transitions":[{"fromId":"s","toId":"split"},
	{"id":"toA","fromId":"split","toId":"a","condition":{"type":"isTrue","left":{"expression":"x"}}},
	{"id":"toB","fromId":"split","toId":"b","condition":{"type":"isTrue","left":{"expression":"y"}}},
	{"id":"toC","fromId":"split","toId":"c"},
	{"fromId":"a","toId":"join"},{"fromId":"b","toId":"join"},{"fromId":"c","toId":"join"},{"fromId":"join","toId":"after"}]}`

func TestInclusiveSplitAndJoin(t *testing.T) {
	wf := parseWF(t, inclusiveJSON)
	h := newHarness(t)

	// Both conditions hold: a and b run; the join waits for both.
	inst, fx := h.start(wf, Trigger{Data: data("x", "true", "y", "true")})
	if !slices.Equal(taskIDs(fx), []string{"a", "b"}) {
		t.Fatalf("split: %v", taskIDs(fx))
	}
	if fx = h.message(wf, inst, "b", nil); len(fx.Tasks) != 0 {
		t.Fatalf("join fired with a still active: %v", taskIDs(fx))
	}
	if fx = h.message(wf, inst, "a", nil); !slices.Equal(taskIDs(fx), []string{"after"}) {
		t.Fatalf("join did not fire: %v", taskIDs(fx))
	}

	// Only one branch was activated: the join fires on its single token.
	inst, fx = h.start(wf, Trigger{Data: data("x", "true", "y", "false")})
	if !slices.Equal(taskIDs(fx), []string{"a"}) {
		t.Fatalf("split: %v", taskIDs(fx))
	}
	if fx = h.message(wf, inst, "a", nil); !slices.Equal(taskIDs(fx), []string{"after"}) {
		t.Fatalf("join should fire on one token: %v %s", taskIDs(fx), mustJSON(t, inst))
	}

	// No condition holds: the default.
	_, fx = h.start(wf, Trigger{})
	if !slices.Equal(taskIDs(fx), []string{"c"}) {
		t.Fatalf("default: %v", taskIDs(fx))
	}
}

// An inclusive join whose other active branch ends elsewhere fires once
// that branch is gone.
func TestInclusiveJoinAfterOtherPathEnds(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"inclusiveGateway","id":"split"},
		{"type":"userTask","id":"a"},{"type":"userTask","id":"b"},{"type":"exclusiveGateway","id":"maybe"},{"type":"endEvent","id":"early"},
		{"type":"inclusiveGateway","id":"join"},{"type":"userTask","id":"after"}],
	  "transitions":[{"fromId":"s","toId":"split"},{"fromId":"split","toId":"a"},{"fromId":"split","toId":"b"},
		{"fromId":"a","toId":"join"},{"fromId":"b","toId":"maybe"},
		{"fromId":"maybe","toId":"join","condition":{"type":"isTrue","left":{"expression":"go"}}},
		{"id":"stop","fromId":"maybe","toId":"early"},{"fromId":"join","toId":"after"}]}`)
	inst, _ := h.start(wf, Trigger{})
	if fx := h.message(wf, inst, "a", nil); len(fx.Tasks) != 0 {
		t.Fatalf("fired while b can still arrive: %v", taskIDs(fx))
	}
	if fx := h.message(wf, inst, "b", nil); !slices.Equal(taskIDs(fx), []string{"after"}) {
		t.Fatalf("should fire when b's path ended elsewhere: %v %s", taskIDs(fx), mustJSON(t, inst))
	}
}

// Effektif's rule: a parallel join fires when nothing else in its scope is
// still open, so a branch cut off by an exclusive choice does not hang it.
func TestParallelJoinAfterBranchEnded(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, `{"activities":[{"type":"startEvent","id":"s"},{"type":"parallelGateway","id":"fork"},
		{"type":"userTask","id":"a"},{"type":"endEvent","id":"gone"},{"type":"parallelGateway","id":"join"},{"type":"userTask","id":"after"},
		{"type":"task","id":"b"}],
	  "transitions":[{"fromId":"s","toId":"fork"},{"fromId":"fork","toId":"a"},{"fromId":"fork","toId":"b"},{"fromId":"b","toId":"gone"},
		{"fromId":"a","toId":"join"},{"fromId":"gone","toId":"join","condition":{"type":"isTrue","left":{"expression":"never"}}},{"fromId":"join","toId":"after"}]}`)
	inst, _ := h.start(wf, Trigger{})
	if fx := h.message(wf, inst, "a", nil); !slices.Equal(taskIDs(fx), []string{"after"}) {
		t.Fatalf("join should fire: %v %s", taskIDs(fx), mustJSON(t, inst))
	}
}

// Two users complete the two branches of a parallel split at the same
// moment: both Messages run on the same stored state, so neither sees the
// other's arrival and neither fires the join. The application's
// conditional write (on Version) accepts one; the other retries on the
// new state, and only then does the join fire, once.
func TestConcurrentCompletionsJoinOnce(t *testing.T) {
	h := newHarness(t)
	wf := parseWF(t, sprintf(parallelJSON, "userTask", "userTask"))
	stored, _ := h.start(wf, Trigger{})
	a, b := waitingAt(stored, "a").ID, waitingAt(stored, "b").ID

	first, second := stored.Clone(), stored.Clone()
	fxA, errA := h.e.Message(wf, first, a, nil)
	fxB, errB := h.e.Message(wf, second, b, nil)
	if errA != nil || errB != nil || len(fxA.Tasks)+len(fxB.Tasks) != 0 {
		t.Fatalf("neither may fire the join alone: %v %v", errA, errB)
	}
	// first wins the conditional write; second retries on first's state.
	fx, err := h.e.Message(wf, first, b, nil)
	if err != nil || !slices.Equal(taskIDs(fx), []string{"after"}) {
		t.Fatalf("retry: %v %v", err, taskIDs(fx))
	}
	// Retrying a's completion again (a lost response) is a conflict.
	if _, err := h.e.Message(wf, first, a, nil); err != ErrNotWaiting {
		t.Fatalf("duplicate completion: %v", err)
	}
	if executed(first, "after") != 1 {
		t.Fatalf("%s", mustJSON(t, first))
	}
}
