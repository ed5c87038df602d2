# -*- coding: utf-8 -*-
"""Normalisation des noms de villes pour la recherche (accents, ß, 東京)."""

import unicodedata

REMPLACEMENTS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o"}
VILLES_CONNUES = ["Zürich", "São Paulo", "Kraków", "東京", "Москва", "Ålesund"]


def sans_accents(texte: str) -> str:
    """Retire les accents en gardant les lettres de base."""
    décomposé = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in décomposé if not unicodedata.combining(c))


def normaliser(nom: str) -> str:
    nom = nom.strip().casefold()
    for source, cible in REMPLACEMENTS.items():
        nom = nom.replace(source, cible)
    return sans_accents(nom)


def chercher_ville(requête: str) -> list[str]:
    """Trouve les villes connues dont le nom normalisé contient la requête."""
    clé = normaliser(requête)
    return [ville for ville in VILLES_CONNUES if clé in normaliser(ville)]


if __name__ == "__main__":
    print(chercher_ville("zurich"), chercher_ville("sao"), chercher_ville("東"))
