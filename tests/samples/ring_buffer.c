/* A fixed-size ring buffer of bytes for a serial driver. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RING_CAPACITY 256

typedef struct {
    uint8_t data[RING_CAPACITY];
    size_t head;
    size_t tail;
    size_t count;
} ring_buffer;

static size_t advance(size_t index) {
    return (index + 1) % RING_CAPACITY;
}

void ring_init(ring_buffer *ring) {
    memset(ring, 0, sizeof(*ring));
}

int ring_push(ring_buffer *ring, uint8_t byte) {
    if (ring->count == RING_CAPACITY) {
        return -1;
    }
    ring->data[ring->head] = byte;
    ring->head = advance(ring->head);
    ring->count++;
    return 0;
}

int ring_pop(ring_buffer *ring, uint8_t *out) {
    if (ring->count == 0) {
        return -1;
    }
    *out = ring->data[ring->tail];
    ring->tail = advance(ring->tail);
    ring->count--;
    return 0;
}

size_t ring_read(ring_buffer *ring, uint8_t *dest, size_t max) {
    size_t n = 0;
    while (n < max && ring_pop(ring, &dest[n]) == 0) {
        n++;
    }
    return n;
}

int main(void) {
    ring_buffer ring;
    ring_init(&ring);
    for (int i = 0; i < 10; i++) {
        ring_push(&ring, (uint8_t)i);
    }
    uint8_t out[4];
    return (int)ring_read(&ring, out, sizeof out);
}
