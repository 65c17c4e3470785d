package io.foley4j.models.convert;

import io.foley4j.engine.DType;
import java.util.Locale;

/**
 * Storage of the converted weight matrices (biases, norms and other vectors stay F32). INT8 tensors are recorded in
 * the file's metadata ({@code quant.NAME}, see {@link io.foley4j.loader.QuantStorage}).
 */
public enum Precision {
    FP32("fp32", DType.F32),
    FP16("fp16", DType.F16),
    BF16("bf16", DType.BF16),
    /** INT8, one scale per row. */
    INT8_ROW("int8-row", DType.I8_ROW),
    /** INT8, one scale per block of 32 elements of a row. */
    INT8_BLOCK("int8-block", DType.I8_BLOCK32);

    public final String cliName;
    public final DType dtype;

    Precision(String cliName, DType dtype) {
        this.cliName = cliName;
        this.dtype = dtype;
    }

    public static Precision parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Precision p : values()) {
            if (p.cliName.equals(n)) return p;
        }
        throw new IllegalArgumentException("Precision: unknown precision '" + name + "'; expected fp32, fp16, bf16, "
                + "int8-row or int8-block");
    }
}
