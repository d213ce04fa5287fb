package org.computeledger.ingest;

import org.computeledger.schema.Allocations;
import org.computeledger.schema.Table;

/**
 * Where each column of the allocations table sits in the row a parser fills (sacct, Slurm JSON, pod
 * lists): looked up once here from the declared schema, so no parser keeps its own copy.
 */
final class AllocationColumns {
  static final Table TABLE = Table.ALLOCATIONS;
  static final int I_CLUSTER = TABLE.index(Allocations.CLUSTER);
  static final int I_JOB_ID = TABLE.index(Allocations.JOB_ID);
  static final int I_ARRAY_JOB_ID = TABLE.index(Allocations.ARRAY_JOB_ID);
  static final int I_ARRAY_TASK_ID = TABLE.index(Allocations.ARRAY_TASK_ID);
  static final int I_STEP_ID = TABLE.index(Allocations.STEP_ID);
  static final int I_USER_HASH = TABLE.index(Allocations.USER_HASH);
  static final int I_ACCOUNT = TABLE.index(Allocations.ACCOUNT);
  static final int I_PARTITION = TABLE.index(Allocations.PARTITION);
  static final int I_WCKEY = TABLE.index(Allocations.WCKEY);
  static final int I_COMMENT = TABLE.index(Allocations.COMMENT);
  static final int I_JOB_NAME = TABLE.index(Allocations.JOB_NAME);
  static final int I_STATE = TABLE.index(Allocations.STATE);
  static final int I_SUBMIT = TABLE.index(Allocations.SUBMIT_TIME);
  static final int I_START = TABLE.index(Allocations.START_TIME);
  static final int I_END = TABLE.index(Allocations.END_TIME);
  static final int I_ELAPSED = TABLE.index(Allocations.ELAPSED_S);
  static final int I_NODE = TABLE.index(Allocations.NODE);
  static final int I_NODE_COUNT = TABLE.index(Allocations.NODE_COUNT);
  static final int I_GPU_COUNT = TABLE.index(Allocations.GPU_COUNT);
  static final int I_GPU_MODEL = TABLE.index(Allocations.GPU_MODEL);
  static final int I_GPU_INDICES = TABLE.index(Allocations.GPU_INDICES);
  static final int I_JOB_ID_RAW = TABLE.index(Allocations.JOB_ID_RAW);
  static final int I_LABELS = TABLE.index(Allocations.LABELS);

  private AllocationColumns() {}
}
