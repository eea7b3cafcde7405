package casework

import (
	"testing"
	"time"
)

func TestTaskCursorRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)
	for _, task := range []Task{
		{ID: "6b103ed0ddc835a216e17ec5", CreateTime: at},
		{ID: "6b103ed0ddc835a216e17ec5", CreateTime: at, Completed: true},
		{ID: "6b103ed0ddc835a216e17ec5", CreateTime: at, Canceled: true},
	} {
		p, err := taskCursorOf(TaskCursor(task), "")
		if err != nil || p.State != task.State() || p.ID != task.ID || !p.CreateTime.Equal(at) {
			t.Errorf("%+v: %+v, %v", task.Position(), p, err)
		}
		if _, err := taskCursorOf(TaskCursor(task), task.State()); err != nil {
			t.Errorf("a cursor of its own state's list: %v", err)
		}
		other := TaskOpen
		if task.State() == TaskOpen {
			other = TaskDone
		}
		if _, err := taskCursorOf(TaskCursor(task), other); err == nil {
			t.Errorf("a %s cursor passed for a %s list", task.State(), other)
		}
	}
	for _, bad := range []string{"", "x", "b3Blbnx8", "!!!!"} {
		if _, err := taskCursorOf(bad, ""); err == nil {
			t.Errorf("%q passed", bad)
		}
	}
}

// The positions of a list are in the order the store keeps them: open
// before done before canceled, newest first in each.
func TestTaskPositionOrder(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	list := []TaskPosition{
		{TaskOpen, at.Add(time.Second), "b"}, {TaskOpen, at, "b"}, {TaskOpen, at, "a"},
		{TaskDone, at.Add(time.Hour), "a"}, {TaskCanceled, at.Add(time.Hour), "a"},
	}
	for i := range list {
		for j := range list {
			if got, want := list[j].before(list[i]), j > i; got != want {
				t.Errorf("%v before %v: %v", list[j], list[i], got)
			}
		}
	}
}

// FuzzTaskCursor: any string is refused or read as a position whose cursor
// reads back to it.
func FuzzTaskCursor(f *testing.F) {
	f.Add(TaskCursor(Task{ID: "6b103ed0ddc835a216e17ec5", CreateTime: time.Now()}))
	f.Add("b3Blbnx8")
	f.Fuzz(func(t *testing.T, cursor string) {
		p, err := taskCursorOf(cursor, "")
		if err != nil {
			return
		}
		task := Task{ID: p.ID, CreateTime: p.CreateTime, Completed: p.State == TaskDone, Canceled: p.State == TaskCanceled}
		again, err := taskCursorOf(TaskCursor(task), "")
		if err != nil || again.State != p.State || again.ID != p.ID || !again.CreateTime.Equal(p.CreateTime) {
			t.Fatalf("%q: %+v, then %+v, %v", cursor, p, again, err)
		}
	})
}

// A case's task cursor is read back only for that case's list of its
// state (or of all states), never for another case's list nor as a cursor
// of the caller's task list, and the other way round.
func TestCaseTaskCursor(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 5, time.UTC)
	const caseID, other = "6b103ed0ddc835a216e17ec1", "6b103ed0ddc835a216e17ec2"
	for _, task := range []Task{
		{ID: "6b103ed0ddc835a216e17ec5", CaseID: caseID, CreateTime: at},
		{ID: "6b103ed0ddc835a216e17ec5", CaseID: caseID, CreateTime: at, Completed: true},
		{ID: "6b103ed0ddc835a216e17ec5", CaseID: caseID, CreateTime: at, Canceled: true},
	} {
		c := CaseTaskCursor(task)
		for _, state := range []TaskState{"", task.State()} {
			if p, err := caseTaskCursorOf(c, caseID, state); err != nil || p.ID != task.ID || p.State != task.State() || !p.CreateTime.Equal(at) {
				t.Errorf("%+v in the %q list: %+v, %v", task.Position(), state, p, err)
			}
		}
		if _, err := caseTaskCursorOf(c, other, ""); err == nil {
			t.Errorf("a cursor of case %s passed for case %s", caseID, other)
		}
		if _, err := taskCursorOf(c, ""); err == nil {
			t.Errorf("a case's cursor passed for the caller's task list")
		}
		if _, err := caseTaskCursorOf(TaskCursor(task), caseID, ""); err == nil {
			t.Errorf("a cursor of the caller's task list passed for a case's list")
		}
		for _, state := range taskStates {
			if _, err := caseTaskCursorOf(c, caseID, state); (err == nil) != (state == task.State()) {
				t.Errorf("a %s cursor in the %s list: %v", task.State(), state, err)
			}
		}
	}
}

// FuzzCaseTaskCursor: any string is refused or read as a position of the
// case whose cursor reads back to it.
func FuzzCaseTaskCursor(f *testing.F) {
	const caseID = "6b103ed0ddc835a216e17ec1"
	f.Add(CaseTaskCursor(Task{ID: "6b103ed0ddc835a216e17ec5", CaseID: caseID, CreateTime: time.Now()}))
	f.Add("Y2FzZXx8fHw")
	f.Fuzz(func(t *testing.T, cursor string) {
		p, err := caseTaskCursorOf(cursor, caseID, "")
		if err != nil {
			return
		}
		task := Task{ID: p.ID, CaseID: caseID, CreateTime: p.CreateTime, Completed: p.State == TaskDone, Canceled: p.State == TaskCanceled}
		again, err := caseTaskCursorOf(CaseTaskCursor(task), caseID, p.State)
		if err != nil || again.State != p.State || again.ID != p.ID || !again.CreateTime.Equal(p.CreateTime) {
			t.Fatalf("%q: %+v, then %+v, %v", cursor, p, again, err)
		}
	})
}
