<?php

declare(strict_types=1);

namespace App\Repository;

use PDO;
use App\Entity\User;

/**
 * Reads and writes users in the relational database.
 */
final class UserRepository
{
    private const TABLE = 'users';

    public function __construct(private PDO $pdo)
    {
    }

    public function find(int $id): ?User
    {
        $stmt = $this->pdo->prepare('SELECT * FROM ' . self::TABLE . ' WHERE id = :id');
        $stmt->execute(['id' => $id]);
        $row = $stmt->fetch(PDO::FETCH_ASSOC);
        return $row ? $this->hydrate($row) : null;
    }

    public function findByEmail(string $email): ?User
    {
        $stmt = $this->pdo->prepare('SELECT * FROM ' . self::TABLE . ' WHERE email = :email');
        $stmt->execute(['email' => strtolower($email)]);
        $row = $stmt->fetch(PDO::FETCH_ASSOC);
        return $row ? $this->hydrate($row) : null;
    }

    public function save(User $user): void
    {
        $stmt = $this->pdo->prepare(
            'INSERT INTO ' . self::TABLE . ' (id, email, name) VALUES (:id, :email, :name)
             ON CONFLICT (id) DO UPDATE SET email = :email, name = :name'
        );
        $stmt->execute(['id' => $user->id, 'email' => $user->email, 'name' => $user->name]);
    }

    private function hydrate(array $row): User
    {
        return new User((int) $row['id'], $row['email'], $row['name']);
    }
}
