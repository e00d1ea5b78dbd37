package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    record Result(int code, String out, String err) {}

    static Result berthWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result berth(String... args) {
        return berthWithStdin("", args);
    }

    @TempDir
    Path dir;

    @Test
    void version() {
        Result r = berth("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("berth version ");
    }

    @Test
    void helpListsCommandsAndEveryCommandHasAnExample() {
        Result r = berth("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("kube").contains("--log-level");
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(new BerthCommand(System.in), new String[0]), all);
        List<String> wrapped = new ArrayList<>();
        for (CommandLine c : all) {
            StringWriter usage = new StringWriter();
            c.usage(new PrintWriter(usage));
            assertThat(usage.toString()).as(c.getCommandSpec().qualifiedName()).containsPattern("Examples?:\\n  berth ");
            // no line of the footer cut by picocli's wrapping (it continues unindented, mid-sentence)
            for (String line : c.getCommandSpec().usageMessage().footer()) {
                if (line.length() > 80) {
                    wrapped.add(c.getCommandSpec().qualifiedName() + ": " + line);
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
                if (p.description().length == 0 || p.description()[0].isBlank()) {
                    wrapped.add(c.getCommandSpec().qualifiedName() + ": " + p.paramLabel() + " has no description");
                }
            }
            if (c.getCommandSpec().parent() != null) {
                assertThat(usage.toString()).as(c.getCommandSpec().qualifiedName()).doesNotContain("--runroot=DIR").contains("see berth --help");
            }
        }
        assertThat(wrapped).isEmpty();
    }

    private static void collect(CommandLine c, List<CommandLine> all) {
        all.add(c);
        c.getSubcommands().values().forEach(s -> collect(s, all));
    }

    @Test
    void planTextShowsTheDemoOrderAndWhy() {
        Result r = berth("kube", "plan", "manifests/demo.yaml");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("""
                1. Pod/demo
                2. Container/demo/web     waits for Pod/demo ready; ready when TCP port 8080 accepts connections (implicit)
                3. Container/demo/client  waits for Pod/demo ready; Container/demo/web ready (inferred: args mention "localhost:8080"; container "web" declares containerPort 8080); ready when running

                objects:
                  Pod/demo  played: pod
                """);
    }

    @Test
    void planJsonMatchesItsSchema() throws Exception {
        Result r = berth("kube", "plan", "-o", "json", "manifests");
        assertThat(r.code()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(mapper.readTree(Path.of("schemas/plan.schema.json").toFile()));
        JsonNode plan = mapper.readTree(r.out());
        Set<ValidationMessage> errors = schema.validate(plan);
        assertThat(errors).isEmpty();
        assertThat(plan.get("edges").findValuesAsText("kind")).contains("sandbox", "init", "object", "inferred");
        assertThat(plan.get("objects").findValuesAsText("fate")).contains("played", "created");
        JsonNode broken = mapper.readTree(r.out().replace("\"condition\":\"ready\"", "\"condition\":\"healthy\""));
        assertThat(schema.validate(broken)).isNotEmpty();
    }

    @Test
    void globalFormatJsonAppliesToPlan() {
        Result r = berth("--format", "json", "kube", "plan", "manifests/demo.yaml");
        assertThat(r.out()).startsWith("{\"nodes\":[");
    }

    @Test
    void planDotLabelsEdgesWithTheirReasons() {
        Result r = berth("kube", "plan", "-o", "dot", "manifests/demo.yaml");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("digraph berth {")
                .contains("\"Container/demo/web\" -> \"Container/demo/client\" [label=\"ready (inferred)\\nargs mention \\\"localhost:8080\\\"; container")
                .contains("style=dashed");
    }

    @Test
    void planReadsStdin() throws Exception {
        Result r = berthWithStdin(Files.readString(Path.of("manifests/demo.yaml")), "kube", "plan", "-");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Container/demo/client");
    }

    @Test
    void invalidManifestsExitOneWithEveryProblemAndNoStackTrace() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad}\nspec:\n  containers:\n    - name: c\n");
        Result r = berth("kube", "plan", bad.toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo(bad + ":3: metadata.name: \"Bad\" is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)\n"
                + "Error: 1 problem in the manifests\n");
    }

    @Test
    void aCycleExitsOne() throws Exception {
        Path cycle = dir.resolve("cycle.yaml");
        Files.writeString(cycle, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: p
                  annotations: {berth.dev/depends-on.a: b, berth.dev/depends-on.b: a}
                spec:
                  containers: [{name: a, image: busybox}, {name: b, image: busybox}]
                """);
        Result r = berth("kube", "plan", cycle.toString());
        assertThat(r.code()).isEqualTo(125);
        assertThat(r.err()).startsWith("dependency cycle: ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void usageErrorsExitTwo() {
        Result unknown = berth("kube", "plan", "--bogus", "manifests/demo.yaml");
        assertThat(unknown.code()).isEqualTo(125);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'").contains("Run 'berth kube plan --help' for usage.");
        assertThat(berth("kube", "plan").code()).isEqualTo(125);
        assertThat(berth("kube", "plan", "-o", "yaml", "manifests/demo.yaml").code()).isEqualTo(125);
    }

    @Test
    void debugLogLevelShowsTheStackTrace() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "kind: Pod\n");
        assertThat(berth("kube", "plan", bad.toString()).err()).doesNotContain("\tat ");
        assertThat(berth("--log-level", "debug", "kube", "plan", bad.toString()).err()).contains("\tat ");
    }

    @Test
    void warningsGoToStderr() throws Exception {
        Path unknown = dir.resolve("unknown.yaml");
        Files.writeString(unknown, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: db}\n---\n" + Files.readString(Path.of("manifests/demo.yaml")));
        Result r = berth("kube", "plan", "--ignore-unknown", unknown.toString()); // no longer needed, still accepted
        assertThat(r.code()).isZero();
        assertThat(r.err()).startsWith("warning: " + unknown + ":2: kind: custom resource Widget (example.com/v1): accepted");
    }

    @Test
    void theWordsPodmanUsersTypeStandForBerthsCommands() {
        assertThat(Main.withAliases(new String[] {"--root", "/r", "images", "-q"})).containsExactly("--root", "/r", "image", "ls", "-q");
        assertThat(Main.withAliases(new String[] {"rmi", "x"})).containsExactly("image", "rm", "x");
        assertThat(Main.withAliases(new String[] {"container", "ls", "-a"})).containsExactly("ps", "-a");
        assertThat(Main.withAliases(new String[] {"container", "rm", "-f", "c"})).containsExactly("rm", "-f", "c");
        assertThat(Main.withAliases(new String[] {"run", "--rm", "img", "echo", "images"})).containsExactly("run", "--rm", "img", "echo", "images");
        assertThat(berth("version").out()).startsWith("berth version ");
        assertThat(berth("images", "--help").out()).contains("List images.");
    }

    /** A command's summary in {@code --help} lists is its description's first line: one whole sentence, never cut (issue 28). */
    @Test
    void everyCommandsSummaryIsOneWholeSentence() {
        List<String> cut = new java.util.ArrayList<>();
        java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(
                Main.commandLine(new BerthCommand(System.in), new String[0]).getSubcommands().values());
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            String[] description = c.getCommandSpec().usageMessage().description();
            String summary = description.length == 0 ? "" : description[0].strip();
            if (!summary.matches("[A-Z`\\[].*[.!?)]") || summary.matches(".*[.!?] .*[.!?]")) {
                cut.add(c.getCommandSpec().qualifiedName() + ": " + summary);
            }
        }
        assertThat(cut).as("summaries that are not one whole sentence").isEmpty();
    }

    @Test
    void aMistypedCommandOrOptionGetsASuggestion() {
        Result command = berth("psx");
        assertThat(command.code()).isEqualTo(125);
        assertThat(command.err()).contains("Did you mean: berth ps?");
        assertThat(berth("ps", "--al").err()).contains("Possible solutions: --all");
        assertThat(berth("imgae", "ls").err()).contains("Did you mean: berth image?");
        assertThat(berth("rnu", "busybox").err()).contains("Did you mean: berth run?");
        assertThat(dev.berth.api.EditDistance.of("rnu", "run")).isEqualTo(1);
        assertThat(dev.berth.api.EditDistance.of("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void theBashCompletionScriptCompletesCommandsAndOptions() throws Exception {
        Result script = berth("completion", "bash");
        assertThat(script.code()).isZero();
        Path file = Files.writeString(dir.resolve("berth.bash"), script.out());
        // names come from the berth being completed: here a stand-in that answers as berth ps -a and pod ps would
        Path fake = Files.writeString(dir.resolve("fake-berth"), "#!/bin/sh\ncase \"$1\" in ps) echo sleeper; echo demo-web;; pod) echo demo;; esac\n");
        fake.toFile().setExecutable(true);
        Process bash = new ProcessBuilder("bash", "-c", "source " + file + " 2>/dev/null; complete() { :; }"
                + "; COMP_WORDS=(berth ps --al); COMP_CWORD=2; _complete_berth 2>/dev/null; echo \"${COMPREPLY[*]}\""
                + "; COMP_WORDS=(berth ima); COMP_CWORD=1; _complete_berth 2>/dev/null; echo \"${COMPREPLY[*]}\""
                + "; COMP_WORDS=(" + fake + " logs de); COMP_CWORD=2; _complete_berth 2>/dev/null; echo \"${COMPREPLY[*]}\""
                + "; COMP_WORDS=(" + fake + " pod stop \"\"); COMP_CWORD=3; _complete_berth 2>/dev/null; echo \"${COMPREPLY[*]}\"").start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).isZero();
        assertThat(out).isEqualTo("--all\nimage\ndemo-web\ndemo\n");
        assertThat(berth("completion", "zsh").out()).startsWith("autoload -U +X bashcompinit && bashcompinit\n");
        assertThat(berth("completion", "fish").code()).isEqualTo(125);
    }

    @Test
    void manualPagesComeFromTheSameModelAsHelp() throws Exception {
        Result page = berth("man", "pod", "stop");
        assertThat(page.code()).isZero();
        assertThat(page.out()).startsWith(".TH \"BERTH-POD-STOP\" 1 ").contains(".SH SYNOPSIS\n.B berth pod stop\n[OPTIONS] POD...\n")
                .contains(".B \\-t, \\-\\-time SECONDS\n").contains("berth pod stop \\-t 2 demo").doesNotContain("\\-\\-runroot");
        assertThat(berth("man").out()).contains(".SH COMMANDS\n").contains(".SH EXIT STATUS\n.TP\n.B 0\n").contains(".TP\n.B 125\n");
        assertThat(berth("man", "nope").code()).isEqualTo(125);
        Result all = berth("man", "--dir", dir.resolve("man1").toString());
        assertThat(all.code()).isZero();
        assertThat(dir.resolve("man1").resolve("berth-pod-stop.1")).exists();
        assertThat(dir.resolve("man1").resolve("berth.1")).exists();
        assertThat(all.out().lines()).hasSizeGreaterThan(40);
    }
}
