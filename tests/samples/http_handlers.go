// Package api serves the notes HTTP API: list, create and delete notes.
package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxNoteLength is the longest note body accepted.
const MaxNoteLength = 4096

// Note is one stored note.
type Note struct {
	ID      int       `json:"id"`
	Body    string    `json:"body"`
	Created time.Time `json:"created"`
}

// NoteStore keeps notes in memory, safe for concurrent use.
type NoteStore struct {
	mu     sync.Mutex
	nextID int
	notes  map[int]Note
}

// NewNoteStore returns an empty store.
func NewNoteStore() *NoteStore {
	return &NoteStore{nextID: 1, notes: make(map[int]Note)}
}

func (s *NoteStore) add(body string) Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	note := Note{ID: s.nextID, Body: body, Created: time.Now().UTC()}
	s.notes[note.ID] = note
	s.nextID++
	return note
}

func (s *NoteStore) remove(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.notes[id]
	delete(s.notes, id)
	return ok
}

func (s *NoteStore) list() []Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Note, 0, len(s.notes))
	for _, note := range s.notes {
		out = append(out, note)
	}
	return out
}

var errEmptyBody = errors.New("note body is empty")

func validateBody(body string) error {
	if body == "" {
		return errEmptyBody
	}
	if len(body) > MaxNoteLength {
		return errors.New("note body is too long")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(value)
}

// Routes registers the notes handlers on mux.
func Routes(mux *http.ServeMux, store *NoteStore) {
	mux.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, store.list())
		case http.MethodPost:
			var payload struct{ Body string }
			if err := json.NewDecoder(r.Body).Decode(&payload); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON"})
				return
			}
			if err := validateBody(payload.Body); err != nil {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
				return
			}
			writeJSON(w, http.StatusCreated, store.add(payload.Body))
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
	})
	mux.HandleFunc("/notes/delete", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.Atoi(r.URL.Query().Get("id"))
		if err != nil || !store.remove(id) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
