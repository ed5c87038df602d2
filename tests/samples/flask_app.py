"""Flask application for managing a small library of books and their loans."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask, abort, jsonify, request

log = logging.getLogger(__name__)

LOAN_DAYS = 21
MAX_LOANS_PER_MEMBER = 5
DATABASE_URL = os.environ.get("LIBRARY_DATABASE_URL", "sqlite:///library.db")


@dataclass
class Book:
    isbn: str
    title: str
    author: str
    copies: int = 1


@dataclass
class Loan:
    isbn: str
    member_id: int
    due: date = field(default_factory=lambda: date.today() + timedelta(days=LOAN_DAYS))


class LibraryStore:
    """In-memory storage for books and loans, standing in for the database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.books: dict[str, Book] = {}
        self.loans: list[Loan] = []

    def add_book(self, book: Book) -> None:
        self.books[book.isbn] = book

    def find_book(self, isbn: str) -> Book | None:
        return self.books.get(isbn)

    def loans_for(self, member_id: int) -> list[Loan]:
        return [loan for loan in self.loans if loan.member_id == member_id]

    def available_copies(self, isbn: str) -> int:
        book = self.books[isbn]
        taken = sum(1 for loan in self.loans if loan.isbn == isbn)
        return book.copies - taken


def validate_book_payload(payload: dict) -> list[str]:
    """Return the problems with a book payload; empty when it is valid."""
    problems = []
    for key in ("isbn", "title", "author"):
        if not str(payload.get(key, "")).strip():
            problems.append(f"{key} is required")
    if len(str(payload.get("isbn", ""))) not in (10, 13):
        problems.append("isbn must have 10 or 13 characters")
    return problems


def create_app(store: LibraryStore | None = None) -> Flask:
    """Build the Flask app with its routes bound to ``store``."""
    app = Flask(__name__)
    store = store or LibraryStore(DATABASE_URL)

    @app.get("/books/<isbn>")
    def get_book(isbn: str):
        book = store.find_book(isbn)
        if book is None:
            abort(404)
        return jsonify(book.__dict__ | {"available": store.available_copies(isbn)})

    @app.post("/books")
    def add_book():
        payload = request.get_json(force=True)
        problems = validate_book_payload(payload)
        if problems:
            return jsonify({"errors": problems}), 422
        store.add_book(Book(**payload))
        log.info("book added")
        return jsonify({"ok": True}), 201

    @app.post("/loans")
    def borrow():
        payload = request.get_json(force=True)
        member_id = int(payload["member_id"])
        if len(store.loans_for(member_id)) >= MAX_LOANS_PER_MEMBER:
            return jsonify({"error": "too many loans"}), 409
        if store.available_copies(payload["isbn"]) <= 0:
            return jsonify({"error": "no copies left"}), 409
        loan = Loan(payload["isbn"], member_id)
        store.loans.append(loan)
        return jsonify({"due": loan.due.isoformat()}), 201

    return app


if __name__ == "__main__":
    create_app().run(debug=True)
