"""Common English and software words, used to split run-together repository names.

`ratemyplace` and `schoolclosures` carry no case or punctuation to split on; these words (plus
the repository's own README and description words) let `indexer.names` find `rate my place` and
`school closures`. Short, lower case, no stems: only words that appear as parts of names.
"""

from __future__ import annotations

_WORDS = """
a about access account accounts act action active activity add address admin administration
adult advice affordable agent air alert alerts all allotment allotments analysis analytics and
answer api app application applications apply appointment appointments archive area areas art
arts assessment asset assets assist at audit auth authentication authority auto automation
back backend badge banner base basic bay bed benefit benefits best beta bin bins birth blue
board boat body book booking bookings books borough bot box bridge broadband budget budgets
bug build builder building bulk bus business by cabinet cache calculator calendar call camera
can car card care carer case cases catalogue centre certificate change chart charts chat check
checker child children choice circle citizen city civic claim claims class clean clear click
client climate close closed closure closures cloud club code coding collect collection
collections college command common community company complaint complaints component components
config configurable connect connected consultation contact content contract contracts control
core cost council councils count county course court cover create crime cross cultural culture
custom customer cycle cycling daily dash dashboard data database date day days death debt
decision deep default delivery demand demo design designer desk detail development device
digital direct directory disabled display district doc docs document documents dog domain door
drain drive driver dynamic dynamics early east easy edit education election elections
electoral email emergency employee employment end energy engine enquiry environment equality
estate event events exam example exchange expense expenses explorer export express external
face family fast fee feed feedback fees field file files find finder fire first fix flood
flow food for form forms framework free frequency front frontend full fund funding future
game garden gateway general generator geo gov government grant grants green grid grit
gritter gritting ground group guide hall hand happy health hear heat help helper high highway
highways hire history hold home homes hospital hot hour house household housing hub hygiene
id import in index info information inspection integration internal issue it item job jobs
join journey key kit lab land landlord language layer layers lead learning leave legal leisure
level library licence licences licensing life light line link list live load local location
locations lock log login logistics lone loneliness look loop mail main maintenance make manage
management manager map mapper mapping maps market me meal media meeting meetings member
members message meter migration minute minutes mobile model modern module money monitor
monitoring more move my name national near need network new news next night noise north note
notice notification notify now number occupancy of off office officer old on one online open
operation order organisation out outdoor over owner page pages paid panel park parking part
partner pass path pay payment payments people permit permits person personal pet phone
pilot place plan planner planning platform play playbook plug plugin plugins point police
policy poll pool portal post postcode power prescription press price print privacy process
product profile project property protect prototype provider public publish query queue quick rate
rating ratings read ready record records recycle recycling redirect refuse register
registration relay release rent repair repairs report reporting reports request requests
research reserve resident residents resource response result results review ride right
risk road roads room route routes rubbish rule safe safety sample save scheme school schools
score search secure security self send service services session set settings share shop short
sign simple site sites skill smart social space spend spending sport staff standard standards
start state statement station statistics status step stop store story street streets student
style styles submit summary supply support survey system systems table tax taxi team tech test
text the theme thing time timetable to tool toolbox tools top tour town track tracker trade
traffic train transit transport travel tree trip type under unit up update user users value
vehicle view visit vote voter walk walking ward warden waste water web website week welfare
well west what where who wiki work worker works yard year you young your yourself youth zone
"""

BASE_WORDS: frozenset[str] = frozenset(_WORDS.split())
