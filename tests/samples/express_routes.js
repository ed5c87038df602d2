'use strict';

const express = require('express');
const bcrypt = require('bcryptjs');
const { body, validationResult } = require('express-validator');
const db = require('./db');

const router = express.Router();
const SALT_ROUNDS = 10;

// Only administrators may manage users.
function requireAdmin(req, res, next) {
  if (!req.user || req.user.role !== 'admin') {
    return res.status(403).json({ error: 'forbidden' });
  }
  next();
}

const userRules = [
  body('email').isEmail().normalizeEmail(),
  body('password').isLength({ min: 12 }),
  body('role').isIn(['admin', 'member']),
];

function checkValidation(req, res, next) {
  const errors = validationResult(req);
  if (!errors.isEmpty()) {
    return res.status(422).json({ errors: errors.array() });
  }
  next();
}

async function findUserById(id) {
  const rows = await db.query('SELECT id, email, role FROM users WHERE id = $1', [id]);
  return rows[0] || null;
}

async function insertUser({ email, password, role }) {
  const hash = await bcrypt.hash(password, SALT_ROUNDS);
  const rows = await db.query(
    'INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3) RETURNING id',
    [email, hash, role],
  );
  return rows[0].id;
}

router.get('/users/:id', requireAdmin, async (req, res) => {
  const user = await findUserById(req.params.id);
  if (!user) {
    return res.status(404).json({ error: 'not found' });
  }
  res.json(user);
});

router.post('/users', requireAdmin, userRules, checkValidation, async (req, res) => {
  const id = await insertUser(req.body);
  res.status(201).json({ id });
});

router.delete('/users/:id', requireAdmin, async (req, res) => {
  await db.query('DELETE FROM users WHERE id = $1', [req.params.id]);
  res.status(204).end();
});

module.exports = router;
