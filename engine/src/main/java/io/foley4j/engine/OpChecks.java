package io.foley4j.engine;

import java.util.Arrays;

/** Shape and dtype checks shared by the tensor-level ops; messages name the op, the operand and the shapes. */
final class OpChecks {
    private OpChecks() {}

    static void f32(String op, String name, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + name + " is null");
        }
        if (t.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": " + name + " " + Arrays.toString(t.shape()) + " must be F32, got "
                    + t.dtype());
        }
    }

    static void sameShape(String op, String aName, Tensor a, String bName, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": " + bName + " " + Arrays.toString(b.shape()) + " must have the shape of "
                    + aName + " " + Arrays.toString(a.shape()));
        }
    }

    static void fitsInt(String op, String name, Tensor t) {
        if (t.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + name + " " + Arrays.toString(t.shape()) + " has "
                    + t.numel() + " elements, more than an int index reaches");
        }
    }
}
