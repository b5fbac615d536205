"""Simulated spaces beyond the home, to measure portable profiles with (issue 24): a car
(cabin climate, seat heating, radio, trips with an ETA), a hotel of 100 rooms (bookings,
check-in and check-out as a property-management system sends them, housekeeping, unsold
rooms), an office floor (hot desks, meeting rooms, bookings), and people travelling between
them and their homes.

- `devices`: the simulated devices (a climate with a first-order room, lights, fans, seat
  heaters, media players), each remembering what it was set to and when.
- `layouts`: a home, a car, a hotel, an office floor built into a hub.
- `people`: people with hidden true wants who adjust what is too far from them.
- `itinerary`: their days (workdays, weekends, trips).
- `world`, `run`: the hubs on one simulated clock, the stays run in time order.
- `metrics`: what the stays cost the people, and the consent check of every message."""
