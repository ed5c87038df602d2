import React, { useEffect, useState } from "react";
import { fetchUser, updateUser } from "../api/users";
import type { User } from "../types";

// Props accepted by the profile card.
export interface UserProfileProps {
  userId: string;
  onSaved?: (user: User) => void;
}

const MAX_BIO_LENGTH = 280;

function validateBio(bio: string): string | null {
  if (bio.length > MAX_BIO_LENGTH) {
    return `Bio must be at most ${MAX_BIO_LENGTH} characters`;
  }
  return null;
}

export function UserProfile({ userId, onSaved }: UserProfileProps) {
  const [user, setUser] = useState<User | null>(null);
  const [bio, setBio] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchUser(userId).then((loaded) => {
      setUser(loaded);
      setBio(loaded.bio ?? "");
    });
  }, [userId]);

  async function handleSave() {
    const problem = validateBio(bio);
    if (problem) {
      setError(problem);
      return;
    }
    const saved = await updateUser(userId, { bio });
    setUser(saved);
    onSaved?.(saved);
  }

  if (!user) {
    return <p className="loading">Loading profile…</p>;
  }

  return (
    <section className="profile">
      <h2>{user.displayName}</h2>
      <textarea value={bio} onChange={(e) => setBio(e.target.value)} />
      {error && <p className="error">{error}</p>}
      <button onClick={handleSave}>Save</button>
    </section>
  );
}

export default UserProfile;
