"""The words that mark an attribution: verbs that report speech, beliefs and intentions, and
nouns for those who can be their source.

The lists were written from general English and checked against the *tune* part of the
PolNeAR development corpus (bench/eval_polnear.py), never against the seed articles.
"""

from __future__ import annotations

# Lemmas of verbs that report speech or writing.
SPEECH_VERBS = frozenset(
    "say speak talk tell state add continue write claim allege warn admit report note stress "
    "emphasise emphasize insist declare announce deny suggest complain argue explain assure "
    "promise threaten acknowledge confirm reiterate lament vow urge predict hint ask demand "
    "propose recall comment respond reply accuse conclude assess tweet post mention observe "
    "remark caution testify disclose reveal concede contend maintain point describe "
    "quip joke shout cry whisper assert boast brag counter charge pledge".split()
)
# Verbs that give quoted words as a name for something: "called it “a disgrace”", "branded
# North Korea “an outlaw nation”". They give a partial quote its speaker when no speech
# verb does.
NAMING_VERBS = frozenset("call brand dub label term characterize characterise".split())
# Verbs that report what a source believes, knows or has found, with a clause: "X believes
# that …", "the poll found that …", "BelTA has learned that …".
BELIEF_VERBS = frozenset(
    "believe think know feel fear hope expect worry doubt suspect agree disagree estimate "
    "find show indicate realize realise recognize recognise understand learn assume "
    "predict conclude decide determine calculate".split()
)
# Verbs that report an intention or a call, with an infinitive: "X wants to …", "X plans
# to …", "X vowed to …", "X called for …".
INTENTION_VERBS = frozenset(
    "want plan intend hope expect seek aim wish prefer refuse decline agree vote decide "
    "promise vow pledge threaten urge ask demand offer propose call push press".split()
)
# Verbs of attitude towards a thing, with an object: "criticised the plan", "backed the
# bill", "blasted him for …". What they are about is a topic, not a statement.
ATTITUDE_VERBS = frozenset(
    "criticize criticise praise support oppose attack accuse blame condemn defend welcome "
    "reject endorse question challenge dismiss slam blast cite back applaud denounce fault "
    "hail mock ridicule embrace favor favour tout champion discuss approve veto "
    "lambaste rebuke".split()
)
# Adjectives of stance: with a clause ("X is confident that …", "X was afraid that …") or a
# topic ("X is critical of the deal", "X is worried about turnout").
STANCE_ADJECTIVES = frozenset(
    "sure certain confident convinced afraid worried concerned aware hopeful optimistic "
    "pessimistic adamant determined eager skeptical sceptical unaware unsure critical "
    "supportive wary proud angry upset frustrated furious pleased disappointed "
    "enthusiastic".split()
)
# Prepositions that name what a source spoke of or took a stance on ("talked about the
# war", "warned against haste", "is critical of the deal"). Not 'on' or 'over': "said on
# Monday", "said on Twitter".
TOPIC_PREPOSITIONS = frozenset({"about", "of", "against"})
# Speech verbs whose object is not what they are about: the addressee ("told reporters",
# "urged Congress") or a bare word ("said nothing", "added that").
ADDRESSEE_VERBS = frozenset(
    "say tell ask urge assure remind inform notify advise caution promise add continue "
    "reply respond answer speak talk shout cry whisper quip joke warn".split()
)
# Sources whose findings are reported like speech: "the poll shows", "the study found".
FINDING_VERBS = frozenset("find show indicate estimate suggest predict calculate".split())

# Nouns that report what their owner said or holds, with a clause: "Tulsa police's earlier
# claim that …", "warnings from his attorney that …", "the president's eagerness to …".
SPEECH_NOUNS = frozenset(
    "claim statement assertion warning argument promise pledge demand suggestion "
    "acknowledgment acknowledgement admission insistence vow threat accusation allegation "
    "announcement proposal prediction remark comment".split()
)
BELIEF_NOUNS = frozenset(
    "belief view fear hope plan decision eagerness determination desire intention "
    "conclusion finding expectation concern conviction".split()
)
PRONOUNS_PERSON = frozenset({"he", "she", "him", "her", "i"})
PRONOUNS_PLURAL = frozenset({"they", "them", "we", "us"})
# "Ms. Moore, who said …". Not 'which' or 'that': a clause on a thing ("the report,
# which notes …") describes it more often than it reports a statement.
RELATIVE_PRONOUNS = frozenset({"who"})
# Quantifiers that stand for people named before: "many of whom say", "others said".
QUANTIFIERS = frozenset("some many most others all both each several few none".split())

# Titles that stand for a person named before: "the Belarusian leader", "the president".
TITLE_NOUNS = frozenset(
    "leader president minister premier strongman dictator chancellor king queen prince "
    "governor senator mayor chairman chairwoman chair ambassador general commander "
    "spokesman spokeswoman spokesperson secretary nominee candidate autocrat ruler head "
    "congressman congresswoman representative".split()
)
# Nominals that refer back to a named organisation: "the group reported" after "the
# Belarusian Hajun Project". Generic bodies ("the authorities") are not resolved.
NOMINAL_ORG = frozenset(
    "group organisation organization ministry agency monitor project outlet company firm "
    "bank network newspaper paper channel broadcaster union campaign committee "
    "commission".split()
)
# Nouns for what a source issues: "according to a briefing by the UK’s Ministry of Defence".
DOCUMENT_NOUNS = frozenset(
    "briefing report statement interview letter study survey poll assessment analysis data "
    "announcement communique communiqué post tweet video memo filing complaint lawsuit "
    "ruling book article editorial document database record records figures statistics "
    "estimate estimates research ad advertisement slide website account release "
    "transcript".split()
)
# Nouns for people and bodies that make statements: "officials said", "the ministry said".
SPEAKING_NOUNS = NOMINAL_ORG | frozenset(
    "official analyst expert observer diplomat spokesman spokeswoman spokesperson source "
    "minister president leader adviser advisor sociologist critic activist witness resident "
    "journalist reporter representative authority authorities people pentagon kremlin "
    "government army military forces council department office service party "
    "lawyer attorney police prosecutor judge court investigator researcher scientist "
    "economist strategist pollster commentator lawmaker legislator senator congressman "
    "congresswoman governor mayor candidate nominee chief director chairman chairwoman "
    "member officer soldier commander general aide staffer supporter opponent voter "
    "administration regime opposition embassy coalition alliance institute foundation "
    "center centre board panel team staff executive ceo founder owner manager worker "
    "teacher doctor student parent mother father family relative friend neighbor "
    "neighbour colleague person man woman father-in-law democrat republican "
    "conservative liberal historian professor economist author writer narrator host "
    "anchor editor correspondent commission agency fund association federation league "
    "station magazine journal publication bureau authority watchdog regulator tribunal "
    "parliament congress senate assembly cabinet consulate delegation command navy guard "
    "legislature caucus corporation insurer lender scientist physician nurse lobbyist "
    "negotiator prosecutor sheriff chief mayor spokesperson organizer organiser "
    "campaigner protester demonstrator victim survivor relative".split()
)
