'use client';

import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import type { DefinitionFault } from '../../lib/flow-api/definitions.ts';
import { faultMarks } from '../../lib/workflows/definition-source.ts';

// CodeMirror 6 with YAML highlighting. The text lives in the editor (React only hears of changes); the
// faults flow-service reported are set as lint diagnostics, so their lines are marked in the gutter and
// underlined, and they move with the text as the author edits.

export function DefinitionYamlEditor(props: {
  initial: string;
  faults: readonly DefinitionFault[];
  label: string;
  onChange(text: string): void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChange = useRef(props.onChange);
  onChange.current = props.onChange;
  const initial = useRef(props.initial);

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      doc: initial.current,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        EditorView.contentAttributes.of({ 'aria-label': props.label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange.current(update.state.doc.toString());
        }),
        // The highlighting colours are chosen for a light background: the editor keeps one in either scheme.
        EditorView.theme({
          '&': { fontSize: '13px', backgroundColor: '#ffffff', color: '#212529' },
          '.cm-scroller': { minHeight: '320px' },
        }),
      ],
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, [props.label]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const marks = faultMarks(editor.state.doc.toString(), props.faults);
    editor.dispatch(setDiagnostics(editor.state, marks));
  }, [props.faults]);

  return (
    <div
      ref={host}
      data-testid="definition-source-editor"
      style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
    />
  );
}
