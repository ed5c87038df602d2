/**
 * A tiny typed-by-convention event bus with wildcard listeners and once().
 */

const WILDCARD = '*';

export class EventBus {
  #listeners = new Map();

  on(event, listener) {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
    return () => this.off(event, listener);
  }

  once(event, listener) {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off(event, listener) {
    const list = this.#listeners.get(event);
    if (!list) return;
    this.#listeners.set(event, list.filter((l) => l !== listener));
  }

  emit(event, payload) {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
    for (const listener of this.#listeners.get(WILDCARD) ?? []) listener(event, payload);
  }
}

export function debounce(fn, waitMs) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), waitMs);
  };
}

export const bus = new EventBus();
