/**
 * What a feature shows one person about themselves (their rotas, recent decisions in their rooms,
 * their nudge settings): platform-neutral sections, in core mrkdwn. Slack renders them on the App
 * Home; any platform can show the same.
 */

export interface SummaryButton {
  label: string;
  /** The command it runs, without a prefix, e.g. `outloud mute all for 1d`. */
  command: string;
}

export interface SummarySection {
  title: string;
  lines: string[];
  buttons?: SummaryButton[];
}

export interface SummaryViewer {
  workspace: string;
  user: string;
  /** Whether the viewer is a member of a room: nothing from a room they are not in is shown. */
  isMember(room: string): Promise<boolean>;
}

/** One section of a person's summary, or nothing when the feature has nothing to say. */
export type SummaryProvider = (viewer: SummaryViewer) => Promise<SummarySection | undefined>;
