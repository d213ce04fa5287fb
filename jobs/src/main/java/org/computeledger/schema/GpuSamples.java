package org.computeledger.schema;

/** Column names of the {@code gpu_samples} table: one row per GPU (or MIG instance) per timestamp. */
public final class GpuSamples {
  public static final String TS = "ts";
  public static final String HOST = "host";
  public static final String GPU_UUID = "gpu_uuid";
  public static final String GPU_INDEX = "gpu_index";
  public static final String GPU_MODEL = "gpu_model";
  public static final String MIG_PROFILE = "mig_profile";
  public static final String MIG_INSTANCE = "mig_instance";
  /** Share of time a kernel ran, 0–1 (DCGM_FI_DEV_GPU_UTIL and nvidia-smi utilization.gpu / 100). */
  public static final String GPU_UTIL = "gpu_util";
  public static final String SM_ACTIVE = "sm_active";
  public static final String SM_OCCUPANCY = "sm_occupancy";
  public static final String PIPE_TENSOR_ACTIVE = "pipe_tensor_active";
  public static final String PIPE_FP64_ACTIVE = "pipe_fp64_active";
  public static final String PIPE_FP32_ACTIVE = "pipe_fp32_active";
  public static final String PIPE_FP16_ACTIVE = "pipe_fp16_active";
  public static final String DRAM_ACTIVE = "dram_active";
  public static final String SM_CLOCK_MHZ = "sm_clock_mhz";
  public static final String POWER_W = "power_w";
  /** Energy counter since boot, millijoules. */
  public static final String ENERGY_MJ = "energy_mj";
  public static final String HPC_JOB = "hpc_job";
  public static final String POD = "pod";
  public static final String NAMESPACE = "namespace";
  public static final String SOURCE_FORMAT = "source_format";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";

  /** The measurement columns, in declared order; a row of a format that merges keeps the max of each. */
  public static final String[] MEASURES = {
    GPU_UTIL, SM_ACTIVE, SM_OCCUPANCY, PIPE_TENSOR_ACTIVE, PIPE_FP64_ACTIVE, PIPE_FP32_ACTIVE,
    PIPE_FP16_ACTIVE, DRAM_ACTIVE, SM_CLOCK_MHZ, POWER_W, ENERGY_MJ
  };

  private GpuSamples() {}
}
