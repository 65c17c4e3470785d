package io.foley4j.loader;

import java.io.IOException;

/**
 * A weights file (safetensors or ONNX) is malformed, inconsistent or uses something unsupported. The message names
 * the file and, where there is one, the tensor. Nothing of the file is trusted after this is thrown.
 */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final String tensor;

    /** {@code tensor} may be null when the problem is not about one tensor (header length, JSON syntax...). */
    public WeightsFormatException(String file, String tensor, String problem) {
        super(file + (tensor == null ? "" : ": tensor '" + tensor + "'") + ": " + problem);
        this.file = file;
        this.tensor = tensor;
    }

    public WeightsFormatException(String file, String tensor, String problem, Throwable cause) {
        this(file, tensor, problem);
        initCause(cause);
    }

    public String file() { return file; }

    /** Name of the offending tensor, or null. */
    public String tensor() { return tensor; }
}
