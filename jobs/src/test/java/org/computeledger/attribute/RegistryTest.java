package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Branch;
import org.computeledger.attribute.Registry.K8sRule;
import org.computeledger.attribute.Registry.Precision;
import org.computeledger.attribute.Registry.Project;
import org.computeledger.attribute.Registry.ProjectBranch;
import org.computeledger.attribute.Registry.SlurmRule;
import org.computeledger.attribute.Registry.Status;
import org.computeledger.attribute.Registry.Use;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * registry.yaml as PRODUCT.md §5 defines it: the section's own example parses to what it says, and
 * each way of getting the file wrong is one clear error. Bad cases are the example with one part
 * altered.
 */
class RegistryTest {
  static final String EXAMPLE = "/fixtures/registry/product-example.yaml";

  static Path examplePath() {
    try {
      return Path.of(RegistryTest.class.getResource(EXAMPLE).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String exampleText() {
    try {
      return Files.readString(examplePath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The example with {@code original}, which must occur exactly once, replaced. */
  private static String exampleWith(String original, String replacement) {
    String text = exampleText();
    int at = text.indexOf(original);
    assertTrue(at >= 0 && text.indexOf(original, at + 1) < 0, "fixture edit is ambiguous: " + original);
    return text.substring(0, at) + replacement + text.substring(at + original.length());
  }

  private static String rejection(String yaml) {
    return assertThrows(RegistryException.class, () -> Registry.parse(yaml, "registry.yaml"))
        .getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' missing from: " + message);
    }
    assertFalse(message.contains("\n"), "not one line: " + message);
  }

  // ---- the §5 example ----

  @Test
  void exampleNamesTheDeveloperAndItsProjectsInOrder() {
    Registry r = Registry.load(examplePath());
    assertEquals("Example Lab", r.developer());
    assertEquals(List.of("atlas", "teacher-70b", "base-1b"),
        r.projects().stream().map(Project::id).toList());
  }

  @Test
  void exampleProjectCarriesStartAndPrecision() {
    Project atlas = Registry.load(examplePath()).project("atlas").orElseThrow();
    assertEquals(LocalDate.of(2026, 3, 1), atlas.developmentStart());
    assertEquals(Precision.BF16, atlas.precision());
  }

  @Test
  void examplePretrainBranchMatchesSlurmAccountAndWckeyOrPodLabel() {
    Branch pretrain = Registry.load(examplePath()).project("atlas").orElseThrow().branches().get(0);
    assertEquals("pretrain-main", pretrain.id());
    assertEquals(Activity.PRETRAINING, pretrain.activity());
    assertEquals(Status.KEPT, pretrain.status());
    assertEquals("Main pre-training run on the curated web mix", pretrain.description());
    assertFalse(pretrain.riskOnly());
    assertEquals(new SlurmRule("atlas", "pretrain", null, null, null), pretrain.match().slurm());
    assertEquals(new K8sRule(Map.of("branch", "pretrain-main"), null), pretrain.match().k8s());
  }

  @Test
  void exampleRefusalTuningIsRiskOnlyWithItsJustificationAndDefaultsToKept() {
    Branch refusal = Registry.load(examplePath()).project("atlas").orElseThrow().branches().get(1);
    assertEquals(Activity.FINE_TUNING, refusal.activity());
    assertTrue(refusal.riskOnly());
    assertEquals("Fine-tuning only to refuse criminal requests; capability evals unchanged"
        + " (report R-12)", refusal.justification());
    assertEquals(Status.KEPT, refusal.status(), "the example gives no status");
    assertNull(refusal.description());
    assertEquals(new SlurmRule(null, null, "branch=refusal-tuning", null, null),
        refusal.match().slurm());
    assertNull(refusal.match().k8s());
  }

  @Test
  void exampleUsesATeacherProjectAndTwoOpenResources() {
    List<Use> uses = Registry.load(examplePath()).project("atlas").orElseThrow().uses();
    assertEquals(List.of(
        new Use("teacher-70b", Activity.DISTILLATION_TEACHER, null, null, null, null),
        new Use(null, null, "public-base-8b", true, "Other Org", LocalDate.of(2025, 4, 18)),
        new Use("base-1b", null, "own-base-1b", true, "Example Lab", LocalDate.of(2026, 1, 15))),
        uses);
  }

  @Test
  void exampleHasNoRiskOnlyBranchLackingJustification() {
    assertEquals(List.of(), Registry.load(examplePath()).riskOnlyWithoutJustification());
  }

  @Test
  void branchesAreListedInRegistryOrderWithTheirProject() {
    assertEquals(List.of("atlas/pretrain-main", "atlas/refusal-tuning", "teacher-70b/pretrain",
            "base-1b/pretrain"),
        Registry.load(examplePath()).branches().stream().map(ProjectBranch::label).toList());
  }

  // ---- accepted with a flag ----

  @Test
  void riskOnlyBranchWithoutJustificationIsAcceptedButFlagged() {
    Registry r = Registry.parse(exampleWith(
        "        justification: Fine-tuning only to refuse criminal requests; capability evals"
            + " unchanged (report R-12)\n", ""), "registry.yaml");
    List<ProjectBranch> flagged = r.riskOnlyWithoutJustification();
    assertEquals(List.of("atlas/refusal-tuning"), flagged.stream().map(ProjectBranch::label).toList());
  }

  @Test
  void matchValuesThatLookLikeNumbersStayAsWritten() {
    Registry r = Registry.parse(exampleWith("account: base1b", "account: 007"), "registry.yaml");
    assertEquals("007", r.project("base-1b").orElseThrow().branches().get(0).match().slurm().account());
  }

  @Test
  void byteOrderMarkIsIgnored() {
    assertEquals("Example Lab", Registry.parse("\uFEFF" + exampleText(), "registry.yaml").developer());
  }

  @Test
  void errorsOfALoadedFileNameItsPath(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("registry.yaml"),
        exampleWith("account: atlas", "acount: atlas"));
    assertMentions(assertThrows(RegistryException.class, () -> Registry.load(file)).getMessage(),
        file + ":12: project 'atlas' branch 'pretrain-main' has unknown key 'acount'");
  }

  @Test
  void sameBranchIdInTwoProjectsIsAllowed() {
    // teacher-70b and base-1b both have a branch 'pretrain': branch ids are per project
    assertEquals(4, Registry.load(examplePath()).branches().size());
  }

  // ---- rejected ----

  @Test
  void missingRequiredKeyIsNamedWithItsBranch() {
    String message = rejection(exampleWith("        activity: fine-tuning\n", ""));
    assertEquals("registry.yaml:13: project 'atlas' branch 'refusal-tuning' is missing required key"
        + " 'activity'", message);
  }

  @Test
  void unknownActivityListsTheAllowedOnes() {
    assertMentions(rejection(exampleWith("activity: fine-tuning", "activity: finetuning")),
        "registry.yaml:14:", "branch 'refusal-tuning'", "activity 'finetuning'",
        "data-curation|synthetic-data|pretraining|fine-tuning|rl|evaluation|red-teaming"
            + "|distillation-teacher|research");
  }

  @Test
  void unknownStatusIsRejected() {
    assertMentions(rejection(exampleWith("status: kept             # kept|discarded",
            "status: abandoned")),
        "branch 'pretrain-main'", "status 'abandoned'", "kept|discarded");
  }

  @Test
  void unknownPrecisionIsRejected() {
    assertMentions(rejection(exampleWith("precision: bf16              #", "precision: int8 #")),
        "project 'atlas'", "precision 'int8'", "bf16|fp16|fp8|tf32|fp32|fp64");
  }

  @Test
  void nonIsoDateIsRejected() {
    assertMentions(rejection(exampleWith("development_start: 2026-03-01",
            "development_start: 01/03/2026")),
        "registry.yaml:4:", "project 'atlas'", "development_start '01/03/2026'", "ISO date");
  }

  @Test
  void duplicateProjectIdIsRejected() {
    assertMentions(rejection(exampleWith("  - id: base-1b", "  - id: teacher-70b")),
        "registry.yaml:40:", "project 'teacher-70b' is declared twice (first at line 31)");
  }

  @Test
  void duplicateBranchIdInOneProjectIsRejected() {
    assertMentions(rejection(exampleWith("      - id: refusal-tuning", "      - id: pretrain-main")),
        "project 'atlas' branch 'pretrain-main' is declared twice (first at line 7)");
  }

  @Test
  void unknownProjectInUsesIsRejected() {
    assertEquals("registry.yaml:19: project 'atlas' uses unknown project 'teacher-7b'",
        rejection(exampleWith("project: teacher-70b", "project: teacher-7b")));
  }

  @Test
  void cycleOfUsesIsRejectedWithItsPath() {
    String yaml = exampleWith("  - id: base-1b",
        "    uses:\n      - project: atlas\n        as: research\n  - id: base-1b");
    assertMentions(rejection(yaml),
        "project 'teacher-70b'", "cycle of uses: atlas -> teacher-70b -> atlas");
  }

  @Test
  void projectUsingItselfIsACycle() {
    assertMentions(rejection(exampleWith("project: teacher-70b", "project: atlas")),
        "cycle of uses: atlas -> atlas");
  }

  @Test
  void branchWithoutMatchRuleIsRejected() {
    assertMentions(rejection(exampleWith(
            "        match: { slurm: { account: base1b, job_name: pretrain-1b } }\n", "")),
        "registry.yaml:44:", "project 'base-1b' branch 'pretrain' has no match rule");
  }

  @Test
  void emptySlurmRuleIsRejectedBecauseItWouldTakeEveryJob() {
    assertMentions(rejection(exampleWith("{ slurm: { account: base1b, job_name: pretrain-1b } }",
            "{ slurm: {} }")),
        "project 'base-1b' branch 'pretrain'", "empty match.slurm");
  }

  @Test
  void misspeltMatchKeyIsRejectedRatherThanMatchingNothing() {
    assertEquals("registry.yaml:12: project 'atlas' branch 'pretrain-main' has unknown key 'acount'"
            + " in match.slurm (expected one of: account, wckey, comment, partition, job_name)",
        rejection(exampleWith("account: atlas", "acount: atlas")));
  }

  @Test
  void unknownProjectKeyIsRejected() {
    assertMentions(rejection(exampleWith("    precision: bf16 ", "    precison: bf16 ")),
        "project 'atlas' has unknown key 'precison'");
  }

  @Test
  void userInSlurmRuleIsRejectedBecauseUsersArePseudonymized() {
    assertMentions(rejection(exampleWith("{ account: base1b, job_name: pretrain-1b }",
            "{ account: base1b, user: alice }")),
        "branch 'pretrain'", "'user'", "pseudonymized");
  }

  @Test
  void identicalSlurmRulesInTwoBranchesAreRejected() {
    assertEquals("registry.yaml:48: project 'base-1b' branch 'pretrain' has the same match.slurm"
            + " rule as branch 'atlas/refusal-tuning', so every such job would match both",
        rejection(exampleWith("{ slurm: { account: base1b, job_name: pretrain-1b } }",
            "{ slurm: { comment: \"branch=refusal-tuning\" } }")));
  }

  @Test
  void identicalK8sRulesInTwoBranchesAreRejected() {
    assertMentions(rejection(exampleWith("{ slurm: { account: base1b, job_name: pretrain-1b } }",
            "{ k8s: { labels: { branch: pretrain-main } } }")),
        "project 'base-1b' branch 'pretrain'", "same match.k8s rule", "'atlas/pretrain-main'");
  }

  @Test
  void riskOnlyMustBeABoolean() {
    assertMentions(rejection(exampleWith("risk_only: true", "risk_only: maybe")),
        "branch 'refusal-tuning'", "risk_only 'maybe'", "true or false");
  }

  @Test
  void openResourceWithoutReleaseDateIsRejected() {
    assertMentions(rejection(exampleWith("        released_on: 2025-04-18\n", "")),
        "project 'atlas' use of resource 'public-base-8b'", "released_on");
  }

  @Test
  void projectUseWithoutAsIsRejected() {
    assertMentions(rejection(exampleWith("        as: distillation-teacher\n", "")),
        "project 'atlas' use of project 'teacher-70b'", "'as'");
  }

  @Test
  void reservedUnattributedIdIsRejected() {
    assertMentions(rejection(exampleWith("  - id: base-1b", "  - id: (unattributed)")),
        "(unattributed)", "reserved");
  }

  @Test
  void duplicateYamlKeyIsRejected() {
    assertMentions(rejection(exampleWith("        status: kept             # kept|discarded\n",
            "        status: kept\n        status: discarded\n")),
        "registry.yaml:11:", "key 'status' appears twice");
  }

  @Test
  void brokenYamlSyntaxGivesTheLine() {
    assertMentions(rejection(exampleWith("{ slurm: { account: base1b, job_name: pretrain-1b } }",
            "{ slurm: { account: base1b, job_name: pretrain-1b }")),
        "registry.yaml:", "not valid YAML");
  }

  @Test
  void emptyFileIsRejected() {
    assertMentions(rejection(""), "registry.yaml: is empty");
  }

  @Test
  void missingFileIsReportedWithItsPath(@TempDir Path dir) {
    Path missing = dir.resolve("registry.yaml");
    assertMentions(assertThrows(RegistryException.class, () -> Registry.load(missing)).getMessage(),
        missing.toString(), "cannot read");
  }
}
