package io.foley4j.models.text;

import java.util.Arrays;

/** A growable int array: token ids without boxing. */
final class IntList {
    private int[] data;
    private int size;

    IntList(int capacity) {
        data = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, data.length * 2);
        }
        data[size++] = v;
    }

    int get(int i) {
        return data[i];
    }

    int size() {
        return size;
    }

    /** Drops everything from index {@code n} on. */
    void truncate(int n) {
        size = Math.min(size, n);
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
