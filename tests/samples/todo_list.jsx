import React, { useMemo, useState } from 'react';
import PropTypes from 'prop-types';

const FILTERS = {
  all: () => true,
  active: (todo) => !todo.done,
  done: (todo) => todo.done,
};

function TodoItem({ todo, onToggle, onDelete }) {
  return (
    <li className={todo.done ? 'todo done' : 'todo'}>
      <input type="checkbox" checked={todo.done} onChange={() => onToggle(todo.id)} />
      <span>{todo.title}</span>
      <button aria-label="Delete" onClick={() => onDelete(todo.id)}>×</button>
    </li>
  );
}

TodoItem.propTypes = {
  todo: PropTypes.shape({ id: PropTypes.number, title: PropTypes.string, done: PropTypes.bool }),
  onToggle: PropTypes.func.isRequired,
  onDelete: PropTypes.func.isRequired,
};

export default function TodoList({ initialTodos = [] }) {
  const [todos, setTodos] = useState(initialTodos);
  const [filter, setFilter] = useState('all');
  const [draft, setDraft] = useState('');

  const visible = useMemo(() => todos.filter(FILTERS[filter]), [todos, filter]);

  function addTodo(event) {
    event.preventDefault();
    if (!draft.trim()) return;
    setTodos([...todos, { id: Date.now(), title: draft.trim(), done: false }]);
    setDraft('');
  }

  const toggle = (id) => setTodos(todos.map((t) => (t.id === id ? { ...t, done: !t.done } : t)));
  const remove = (id) => setTodos(todos.filter((t) => t.id !== id));

  return (
    <section>
      <form onSubmit={addTodo}>
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="What next?" />
      </form>
      <nav>
        {Object.keys(FILTERS).map((name) => (
          <button key={name} disabled={name === filter} onClick={() => setFilter(name)}>
            {name}
          </button>
        ))}
      </nav>
      <ul>
        {visible.map((todo) => (
          <TodoItem key={todo.id} todo={todo} onToggle={toggle} onDelete={remove} />
        ))}
      </ul>
    </section>
  );
}
