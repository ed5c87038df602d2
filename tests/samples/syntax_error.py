import json


def load_settings(path):
    with open(path) as handle:
        return json.load(handle)


def broken_function(values:
    total = 0
    for value in values
        total += value
    return total


class Settings:
    def __init__(self, data):
        self.data = data

    def get(self, key, default=None):
        return self.data.get(key, default)
