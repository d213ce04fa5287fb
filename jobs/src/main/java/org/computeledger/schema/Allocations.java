package org.computeledger.schema;

/** Column names of the {@code allocations} table: one row per job, step or array task per node. */
public final class Allocations {
  public static final String CLUSTER = "cluster";
  /** Full scheduler id as printed, e.g. {@code 123_4.batch}. */
  public static final String JOB_ID = "job_id";
  /** Slurm's JobIDRaw: the plain numeric id an array task runs under (what DCGM's hpc_job label carries). */
  public static final String JOB_ID_RAW = "job_id_raw";
  /** The array's parent id for an array task ({@code 123} of {@code 123_4}), else the job id. */
  public static final String ARRAY_JOB_ID = "array_job_id";
  public static final String ARRAY_TASK_ID = "array_task_id";
  public static final String STEP_ID = "step_id";
  public static final String USER_HASH = "user_hash";
  public static final String ACCOUNT = "account";
  public static final String PARTITION = "partition";
  public static final String WCKEY = "wckey";
  public static final String COMMENT = "comment";
  public static final String JOB_NAME = "job_name";
  public static final String STATE = "state";
  public static final String SUBMIT_TIME = "submit_time";
  public static final String START_TIME = "start_time";
  public static final String END_TIME = "end_time";
  public static final String ELAPSED_S = "elapsed_s";
  public static final String NODE = "node";
  public static final String NODE_COUNT = "node_count";
  public static final String GPU_COUNT = "gpu_count";
  public static final String GPU_MODEL = "gpu_model";
  public static final String GPU_INDICES = "gpu_indices";
  /** Kubernetes pod labels; empty for Slurm. */
  public static final String LABELS = "labels";
  public static final String SOURCE_FORMAT = "source_format";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";

  private Allocations() {}
}
