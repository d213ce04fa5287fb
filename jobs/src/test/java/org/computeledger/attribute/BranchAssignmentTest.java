package org.computeledger.attribute;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which branch each allocation goes to, under the registry of PRODUCT.md §5 (with the teacher-70b
 * and base-1b projects it refers to). Each test builds a few allocation rows shaped like the
 * canonical table and reads back the assignment of one job.
 */
class BranchAssignmentTest extends SparkTestBase {
  private static Registry registry;

  @BeforeAll
  static void readRegistry() {
    registry = Registry.load(RegistryTest.examplePath());
  }

  /** An allocation row with only the fields matching looks at; everything else is null. */
  private static Object[] slurmJob(
      String jobId, String account, String wckey, String comment, String partition, String jobName) {
    Object[] row = new Object[Table.ALLOCATIONS.width()];
    row[Table.ALLOCATIONS.index(Allocations.JOB_ID)] = jobId;
    row[Table.ALLOCATIONS.index(Allocations.ACCOUNT)] = account;
    row[Table.ALLOCATIONS.index(Allocations.WCKEY)] = wckey;
    row[Table.ALLOCATIONS.index(Allocations.COMMENT)] = comment;
    row[Table.ALLOCATIONS.index(Allocations.PARTITION)] = partition;
    row[Table.ALLOCATIONS.index(Allocations.JOB_NAME)] = jobName;
    row[Table.ALLOCATIONS.index(Allocations.LABELS)] = Map.of();
    row[Table.ALLOCATIONS.index(Allocations.SOURCE_FORMAT)] = BranchAssignment.SLURM_FORMAT;
    return row;
  }

  private static Object[] pod(String jobId, String namespace, Map<String, String> labels) {
    Object[] row = new Object[Table.ALLOCATIONS.width()];
    row[Table.ALLOCATIONS.index(Allocations.JOB_ID)] = jobId;
    row[Table.ALLOCATIONS.index(BranchAssignment.K8S_NAMESPACE_COLUMN)] = namespace;
    row[Table.ALLOCATIONS.index(Allocations.LABELS)] = labels;
    row[Table.ALLOCATIONS.index(Allocations.SOURCE_FORMAT)] = BranchAssignment.K8S_FORMAT;
    return row;
  }

  /** Assigns branches to the given rows and returns the result keyed by job id. */
  private Map<String, Row> assign(Object[]... rows) {
    List<Row> input = new ArrayList<>();
    for (Object[] r : rows) {
      input.add(RowFactory.create(r));
    }
    Dataset<Row> allocations = spark().createDataFrame(input, Table.ALLOCATIONS.schema());
    Map<String, Row> byJob = new HashMap<>();
    for (Row r : BranchAssignment.assignBranches(allocations, registry)
        .select(col(Allocations.JOB_ID), col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH),
            col(BranchAssignment.MATCH_CONFLICT))
        .collectAsList()) {
      byJob.put(r.getString(0), r);
    }
    assertEquals(rows.length, byJob.size(), "every allocation keeps exactly one row");
    return byJob;
  }

  private static void assertBranch(String project, String branch, Row row) {
    assertEquals(project + "/" + branch, row.getString(1) + "/" + row.getString(2));
  }

  @Test
  void slurmJobWithTheRulesAccountAndWckeyGoesToThatBranch() {
    Row job = assign(slurmJob("1", "atlas", "pretrain", null, "h100", "train")).get("1");
    assertBranch("atlas", "pretrain-main", job);
    assertNull(job.get(3));
  }

  @Test
  void everyFieldOfARuleMustMatch() {
    // account atlas alone is not enough: the rule also asks for wckey pretrain
    assertBranch("(unattributed)", "(unattributed)",
        assign(slurmJob("1", "atlas", "eval", null, "h100", "train")).get("1"));
  }

  @Test
  void commentRuleMatchesTextInsideTheComment() {
    assertBranch("atlas", "refusal-tuning",
        assign(slurmJob("1", "safety", null, "branch=refusal-tuning;seed=3", "h100", "sft")).get("1"));
  }

  @Test
  void podWhoseLabelsIncludeTheRulesLabelGoesToThatBranch() {
    assertBranch("atlas", "pretrain-main",
        assign(pod("p", "research", Map.of("branch", "pretrain-main", "team", "core"))).get("p"));
  }

  @Test
  void podRuleWithNamespaceNeedsBothNamespaceAndLabels() {
    Map<String, Row> jobs = assign(
        pod("right-namespace", "teacher", Map.of("app", "trainer")),
        pod("wrong-namespace", "default", Map.of("app", "trainer")));
    assertBranch("teacher-70b", "pretrain", jobs.get("right-namespace"));
    assertBranch("(unattributed)", "(unattributed)", jobs.get("wrong-namespace"));
  }

  @Test
  void slurmRuleDoesNotApplyToPods() {
    // a pod in namespace 'teacher' satisfies the slurm rule's account, but it is not a Slurm job
    Object[] podInTeacher = pod("p", "teacher", Map.of());
    podInTeacher[Table.ALLOCATIONS.index(Allocations.PARTITION)] = "h100";
    assertBranch("(unattributed)", "(unattributed)", assign(podInTeacher).get("p"));
  }

  @Test
  void jobMatchingNoBranchIsKeptAsUnattributed() {
    Map<String, Row> jobs = assign(
        slurmJob("unknown-account", "physics", "sim", "nightly", "a100", "md"),
        slurmJob("all-null", null, null, null, null, null));
    assertBranch("(unattributed)", "(unattributed)", jobs.get("unknown-account"));
    assertBranch("(unattributed)", "(unattributed)", jobs.get("all-null"));
  }

  @Test
  void jobMatchingTwoBranchesGoesToTheFirstAndListsBoth() {
    Row job = assign(slurmJob("1", "atlas", "pretrain", "branch=refusal-tuning", "h100", "x"))
        .get("1");
    assertBranch("atlas", "pretrain-main", job);
    assertEquals("atlas/pretrain-main, atlas/refusal-tuning", job.getString(3));
  }

  @Test
  void branchesTableHasEveryBranchAndTheUnattributedOne() {
    List<Row> rows = BranchAssignment.branchesTable(spark(), registry).collectAsList();
    assertEquals(List.of("atlas/pretrain-main", "atlas/refusal-tuning", "teacher-70b/pretrain",
            "base-1b/pretrain", "(unattributed)/(unattributed)"),
        rows.stream().map(r -> r.getString(0) + "/" + r.getString(1)).toList());
    Row refusal = rows.get(1);
    assertEquals(RowFactory.create("atlas", "refusal-tuning", "fine-tuning", "kept", null, true,
            "Fine-tuning only to refuse criminal requests; capability evals unchanged (report R-12)"),
        refusal);
  }

  @Test
  void eachRuleIsEvaluatedOncePerRow(@TempDir Path dir) {
    // read from files: rows made in memory would be folded into a constant at planning time
    String path = dir.resolve("allocations").toString();
    spark().createDataFrame(List.of(), Table.ALLOCATIONS.schema()).write().parquet(path);
    Dataset<Row> allocations = spark().read().schema(Table.ALLOCATIONS.schema()).parquet(path);
    String plan = BranchAssignment.assignBranches(allocations, registry)
        .select(BranchAssignment.PROJECT, BranchAssignment.BRANCH, BranchAssignment.MATCH_CONFLICT)
        .queryExecution().optimizedPlan().toString();
    // the registry has one comment rule; project, branch and conflict must not each repeat it
    assertEquals(1, plan.split("Contains\\(", -1).length - 1, plan);
  }
}
